// The DuckLake behaviour the lake engine relies on, pinned for DuckDB 1.5.5 + ducklake 1.5.5 (extension
// d8a1881e): real DuckDB processes (fixtures/lake/client.mjs, one per "step"), a real PostgreSQL catalog
// (postgres-server.ts), exact error texts. docs/ducklake-notes.md explains each finding. Extension files come
// from .ci/provision-extensions.sh (run here when .cache/ lacks them; a clear failure when it cannot).
// Outside the "extension files" tests, clients skip the extensions' signature check (allow_unsigned_extensions):
// it costs ≈ 0.25 s CPU per process and has nothing to do with DuckLake's behaviour; ~70 processes start here.
import t, { type Test } from 'tap';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ensureExtensions, extensionFile, duckdbPlatform, DUCKDB_VERSION } from './extensions.js';
import { exampleCopy, query, REPO } from './helpers.js';
import { attachSql, postgresCatalog, startClient, type Client, type ClientOptions } from './lake.js';
import { postgresBin, startPostgres, type PostgresServer } from './postgres-server.js';

const EXT = ensureExtensions(['ducklake', 'postgres_scanner', 'sqlite_scanner']);
const skip = postgresBin()
  ? false
  : 'PostgreSQL server binaries (initdb, pg_ctl) are not installed here: apt-get install postgresql-15';
let server: PostgresServer | undefined;
t.before(async () => {
  if (!skip) server = await startPostgres();
});
t.teardown(async () => server?.stop());

/** A client process that is killed when the test ends, whatever happened. */
async function client(t: Test, options: ClientOptions & { ext?: string } = {}): Promise<Client> {
  const c = await startClient(options.ext ?? EXT, { unsigned: true, ...options });
  t.teardown(() => c.kill());
  return c;
}

/** The test's own folder, made by t.testdir() once (a second call would empty it); removed after the test. */
const folders = new WeakMap<Test, string>();
const folder = (t: Test): string => {
  if (!folders.has(t)) folders.set(t, t.testdir());
  return folders.get(t)!;
};

let lakes = 0;
/** A fresh PostgreSQL database as a lake catalog, and a data folder in the test's directory. The first
 * open() creates the lake; others wait for it (two first attaches at once race, see the ATTACH test). */
async function pgLake(t: Test) {
  const dbname = `lake_${++lakes}`;
  await server!.query(`CREATE DATABASE ${dbname}`);
  const dataPath = join(folder(t), 'lake') + '/';
  const catalog = postgresCatalog({ host: '127.0.0.1', port: server!.port, user: 'postgres', dbname });
  let created: Promise<unknown> | undefined;
  const catalogQuery = async (sql: string) => {
    const c = new pg.Client({ connectionString: server!.url.replace(/\/postgres$/, `/${dbname}`) });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };
  /** A client attached to the lake (alias lake, USE lake). */
  const open = async (t: Test) => {
    const c = await client(t);
    const attach = () => c.ok(attachSql(catalog, 'lake', dataPath));
    if (created) await created.then(attach);
    else await (created = attach());
    await c.ok('USE lake');
    return c;
  };
  const counts = async () =>
    (
      await catalogQuery(`SELECT (SELECT count(*) FROM ducklake_snapshot) AS snapshots, (SELECT count(*) FROM ducklake_schema) AS schemas,
    (SELECT count(*) FROM ducklake_table) AS tables, (SELECT count(*) FROM ducklake_column) AS columns, (SELECT count(*) FROM ducklake_data_file) AS data_files`)
    )[0];
  return { dbname, dataPath, catalog, catalogQuery, open, counts };
}

const files = (dir: string): string[] =>
  !existsSync(dir)
    ? []
    : readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
        .sort();

const CONFLICT =
  'TransactionContext Error: Failed to commit: Failed to commit DuckLake transaction.\nTransaction conflict - ';

// ---------------------------------------------------------------------------------------------- extensions
t.test('extension files: the provisioned folder is a DuckDB extension_directory, nothing is downloaded', async (t) => {
  const c = await client(t, { unsigned: false });
  t.same(
    await c.ok('PRAGMA platform'),
    [{ platform: duckdbPlatform() }],
    'the platform folder name DuckDB looks under',
  );
  t.same(await c.ok('SELECT version() AS v'), [{ v: DUCKDB_VERSION }]);
  await c.ok(attachSql(join(folder(t), 'catalog.ducklake'), 'lake', join(folder(t), 'data') + '/'));
  t.same(
    await c.ok(
      "SELECT install_path, extension_version, loaded FROM duckdb_extensions() WHERE extension_name = 'ducklake'",
    ),
    [{ install_path: extensionFile('ducklake'), extension_version: 'd8a1881e', loaded: true }],
    'ATTACH ducklake: autoloaded the provisioned file',
  );
});

t.test('extension files: without them DuckDB tries extensions.duckdb.org (offline: this exact error)', async (t) => {
  const c = await client(t, { ext: join(folder(t), 'empty'), unsigned: false });
  const answer = await c.run('LOAD ducklake');
  if (answer.ok)
    return t.ok(
      existsSync(join(folder(t), 'empty', DUCKDB_VERSION, duckdbPlatform(), 'ducklake.duckdb_extension')),
      'this machine reaches extensions.duckdb.org: LOAD installed ducklake from it into the empty extension_directory',
    );
  t.equal(
    answer.error!.split('\n')[0],
    `IO Error: Failed to download extension "ducklake" at URL "http://extensions.duckdb.org/${DUCKDB_VERSION}/${duckdbPlatform()}/ducklake.duckdb_extension.gz"`,
  );
});

t.test(
  "extension files: INSTALL '<file>' copies into the extension_directory; LOAD '<file>' loads in place",
  async (t) => {
    const dir = join(folder(t), 'ext');
    const installer = await client(t, { ext: dir, unsigned: false });
    await installer.ok(`INSTALL '${extensionFile('ducklake')}'`);
    t.ok(existsSync(join(dir, DUCKDB_VERSION, duckdbPlatform(), 'ducklake.duckdb_extension')), 'copied');
    t.ok(existsSync(join(dir, DUCKDB_VERSION, duckdbPlatform(), 'ducklake.duckdb_extension.info')), 'with its .info');
    const later = await client(t, { ext: dir, unsigned: false });
    await later.ok('LOAD ducklake');
    t.same(
      await later.ok("SELECT install_mode, installed_from FROM duckdb_extensions() WHERE extension_name = 'ducklake'"),
      [{ install_mode: 'CUSTOM_PATH', installed_from: extensionFile('ducklake') }],
      'a later process loads it by name',
    );

    const inPlace = await client(t, { ext: join(folder(t), 'nothing-installed'), unsigned: false });
    await inPlace.ok(`LOAD '${extensionFile('ducklake')}'`);
    await inPlace.ok(attachSql(join(folder(t), 'local.ducklake'), 'lake', join(folder(t), 'local') + '/'));
    const pgAttach = await inPlace.run(attachSql('postgres:dbname=x host=127.0.0.1 port=1', 'pl'));
    t.notOk(
      pgAttach.ok,
      'ducklake:postgres: then needs postgres_scanner, loaded by path too (it is not autoloaded from a path)',
    );
    t.match(
      pgAttach.error,
      /Failed to attach DuckLake MetaData "__ducklake_metadata_pl" at path \+ "postgres:dbname=x host=127\.0\.0\.1 port=1"(Failed to download extension "postgres_scanner"|.*connect)/,
    );
  },
);

t.test(
  "extension files: the provisioned folder also works as a repository: INSTALL ducklake FROM '<dir>'",
  async (t) => {
    const c = await client(t, { ext: join(folder(t), 'ext'), unsigned: false });
    await c.ok(`INSTALL ducklake FROM '${EXT}'`);
    await c.ok('LOAD ducklake');
    t.same(
      await c.ok("SELECT install_mode, installed_from FROM duckdb_extensions() WHERE extension_name = 'ducklake'"),
      [{ install_mode: 'REPOSITORY', installed_from: EXT }],
    );
  },
);

// ---------------------------------------------------------------------------------------------- attach
t.test(
  'ATTACH: the first attach stores DATA_PATH in the PostgreSQL catalog; later attaches need only the catalog',
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const first = await lake.open(t);
    await first.ok('CREATE TABLE t AS SELECT range AS x FROM range(1000)');
    t.same(await lake.catalogQuery("SELECT value FROM ducklake_metadata WHERE key = 'data_path'"), [
      { value: lake.dataPath },
    ]);
    const later = await client(t);
    await later.ok(attachSql(lake.catalog));
    await later.ok('INSERT INTO lake.t SELECT range FROM range(1000)');
    t.equal(files(lake.dataPath).length, 2, 'both Parquet files under the stored DATA_PATH');
    t.same(await later.ok("SELECT data_path FROM ducklake_settings('lake')"), [{ data_path: lake.dataPath }]);
    const other = await client(t);
    const answer = await other.run(attachSql(lake.catalog, 'lake', '/elsewhere/'));
    t.equal(
      answer.error,
      `Invalid Configuration Error: DATA_PATH parameter "/elsewhere/" does not match existing data path in the catalog "${lake.dataPath}".\nYou can override the DATA_PATH by setting OVERRIDE_DATA_PATH to True.`,
    );
  },
);

t.test(
  'ATTACH: two processes attaching a new, empty PostgreSQL catalog at once race to create it; one fails',
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    // The race, every time: an event trigger holds each CREATE TABLE of the catalog's database until the test
    // lets go, so both attaches have found the catalog empty and wait at their first CREATE; then both go.
    const holder = new pg.Client({ connectionString: server!.url.replace(/\/postgres$/, `/${lake.dbname}`) });
    await holder.connect();
    t.teardown(() => holder.end());
    await holder.query(
      'CREATE FUNCTION hold() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock_shared(4711); END $$',
    );
    await holder.query(
      "CREATE EVENT TRIGGER hold ON ddl_command_start WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION hold()",
    );
    await holder.query('SELECT pg_advisory_lock(4711)');
    const [a, b] = await Promise.all([client(t), client(t)]);
    let settled = false;
    const attaches = Promise.all([a, b].map((c) => c.run(attachSql(lake.catalog, 'lake', lake.dataPath)))).finally(
      () => (settled = true),
    );
    const waiting = async () =>
      Number(
        (
          await holder.query(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 4711 AND NOT granted",
          )
        ).rows[0].n,
      );
    while (!settled && (await waiting()) < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    t.notOk(settled, 'both attaches reached their first CREATE TABLE on an empty catalog');
    await holder.query('SELECT pg_advisory_unlock(4711)');
    const failed = (await attaches).filter((answer) => !answer.ok);
    await holder.query('DROP EVENT TRIGGER hold');
    t.equal(failed.length, 1, 'one of them fails');
    t.match(
      failed[0].error,
      /^Invalid Error: Failed to initialize DuckLake: Failed to execute query "CREATE TABLE "public"\."ducklake_metadata".*(already exists|duplicate key value violates unique constraint)/s,
      'so the driver creates the lake once before it starts parallel workers',
    );
    const again = await client(t);
    t.ok((await again.run(attachSql(lake.catalog))).ok, 'the catalog the winner created is complete');
  },
);

t.test(
  'ATTACH: a password in the ATTACH string shows in duckdb_databases(); PGPASSWORD and friends keep it out',
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const withPassword = await client(t);
    const catalog = postgresCatalog({
      host: '127.0.0.1',
      port: server!.port,
      user: 'ducksteps',
      password: 'secret-pw',
      dbname: lake.dbname,
    });
    await withPassword.ok(attachSql(catalog, 'lake', lake.dataPath));
    t.match(
      (await withPassword.ok("SELECT path FROM duckdb_databases() WHERE database_name = 'lake'"))[0].path,
      /password=secret-pw/,
    );
    const fromEnv = await client(t, {
      env: { PGHOST: '127.0.0.1', PGPORT: String(server!.port), PGUSER: 'ducksteps', PGPASSWORD: 'secret-pw' },
    });
    await fromEnv.ok(`ATTACH 'ducklake:postgres:dbname=${lake.dbname}' AS lake`);
    t.same(await fromEnv.ok("SELECT path FROM duckdb_databases() WHERE database_name = 'lake'"), [
      { path: `postgres:dbname=${lake.dbname}` },
    ]);
    const wrong = await client(t, {
      env: { PGHOST: '127.0.0.1', PGPORT: String(server!.port), PGUSER: 'ducksteps', PGPASSWORD: 'wrong' },
    });
    t.match(
      (await wrong.run(`ATTACH 'ducklake:postgres:dbname=${lake.dbname}' AS lake`)).error,
      /password authentication failed for user "ducksteps"/,
    );
  },
);

t.test(
  "ATTACH: a relative DATA_PATH is stored as given and resolved against each process's working directory",
  async (t) => {
    const root = t.testdir({ a: {}, b: {} });
    const writer = await client(t, { cwd: join(root, 'a') });
    await writer.ok(attachSql(join(root, 'catalog.ducklake'), 'lake', 'data/'));
    await writer.ok('CREATE TABLE lake.t AS SELECT range AS x FROM range(100)');
    await writer.close();
    const reader = await client(t, { cwd: join(root, 'b') });
    await reader.ok(attachSql(join(root, 'catalog.ducklake')));
    const answer = await reader.run('SELECT sum(x) FROM lake.t');
    t.match(
      answer.error,
      /^IO Error: Cannot open file "data\/main\/t\/ducklake-[0-9a-f-]+\.parquet": No such file or directory$/,
      'give DATA_PATH as an absolute path or URL',
    );
  },
);

// ---------------------------------------------------------------------------------------------- transactions
t.test(
  'transactions: one BEGIN … COMMIT over several schemas and tables (and ledger rows) is one snapshot',
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const w = await lake.open(t);
    await w.ok('CREATE TABLE base AS SELECT 1 AS x');
    const before = Number((await w.ok("SELECT max(snapshot_id) AS s FROM ducklake_snapshots('lake')"))[0].s);
    await w.ok('BEGIN');
    for (const sql of [
      'CREATE SCHEMA raw',
      'CREATE SCHEMA ducksteps',
      'CREATE TABLE raw.o AS SELECT range AS id FROM range(100000)',
      'CREATE OR REPLACE TABLE base AS SELECT 2 AS x',
      'INSERT INTO base VALUES (3)',
      'DELETE FROM raw.o WHERE id < 10',
      'CREATE TABLE ducksteps.step_batches (step VARCHAR NOT NULL, batch_id INTEGER NOT NULL)',
      "INSERT INTO ducksteps.step_batches VALUES ('02_extract', 1)",
    ])
      await w.ok(sql);
    await w.ok('COMMIT');
    const snapshots = await w.ok(
      `SELECT snapshot_id, changes FROM ducklake_snapshots('lake') WHERE snapshot_id > ${before}`,
    );
    t.equal(snapshots.length, 1, 'exactly one new snapshot');
    const changes = Object.fromEntries(
      (snapshots[0].changes as { key: string; value: string[] }[]).map((c) => [c.key, c.value]),
    );
    t.same(changes.schemas_created.sort(), ['ducksteps', 'raw']);
    t.same(changes.tables_created.sort(), ['ducksteps.step_batches', 'main.base', 'raw.o']);
    t.same(await w.ok('SELECT (SELECT list(x ORDER BY x) FROM base) AS base, (SELECT count(*) FROM raw.o) AS o'), [
      { base: [2, 3], o: '99990' },
    ]);
  },
);

t.test(
  'transactions: ROLLBACK leaves no schema, table, row, catalog row or Parquet file behind',
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const w = await lake.open(t);
    await w.ok('CREATE TABLE base AS SELECT range AS x FROM range(1000)');
    const [counts, data] = [await lake.counts(), files(lake.dataPath)];
    await w.ok('BEGIN');
    for (const sql of [
      'CREATE SCHEMA rb',
      'CREATE TABLE rb.t AS SELECT range AS id FROM range(200000)',
      'INSERT INTO base SELECT range FROM range(100000)',
      'DELETE FROM base WHERE x < 10',
      'DROP TABLE base',
    ])
      await w.ok(sql);
    t.ok(files(lake.dataPath).length > data.length, 'Parquet files are written before COMMIT');
    await w.ok('ROLLBACK');
    t.same(await lake.counts(), counts, 'catalog rows as before');
    t.same(files(lake.dataPath), data, "the transaction's Parquet files are deleted");
    t.same(
      await w.ok(
        "SELECT (SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'rb') AS rb, (SELECT count(*) FROM base) AS base",
      ),
      [{ rb: '0', base: '1000' }],
    );
  },
);

t.test(
  'transactions: kill -9 mid-transaction leaves nothing visible and no catalog rows; its Parquet files are orphans that ducklake_delete_orphaned_files removes',
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const w = await lake.open(t);
    await w.ok('CREATE TABLE base AS SELECT range AS x FROM range(1000)');
    const [counts, data] = [await lake.counts(), files(lake.dataPath)];
    await w.ok('BEGIN');
    for (const sql of [
      'CREATE SCHEMA killed',
      'CREATE TABLE killed.t AS SELECT range AS id FROM range(300000)',
      'INSERT INTO base SELECT range FROM range(50000)',
    ])
      await w.ok(sql);
    await w.kill();
    t.same(await lake.counts(), counts, 'no catalog rows from the killed transaction');
    const orphans = files(lake.dataPath).filter((f) => !data.includes(f));
    t.equal(orphans.length, 2, 'its two Parquet files stay on disk');
    const r = await lake.open(t);
    t.same(
      await r.ok(
        "SELECT (SELECT count(*) FROM duckdb_schemas() WHERE schema_name = 'killed') AS killed, (SELECT count(*) FROM base) AS base",
      ),
      [{ killed: '0', base: '1000' }],
    );
    t.same(
      await r.ok("FROM ducklake_cleanup_old_files('lake', dry_run => true, cleanup_all => true)"),
      [],
      'not "old files": the catalog never knew them',
    );
    const listed = await r.ok(
      "SELECT path FROM ducklake_delete_orphaned_files('lake', dry_run => true, cleanup_all => true) ORDER BY path",
    );
    t.same(
      listed.map((row) => row.path),
      orphans,
      'ducklake_delete_orphaned_files finds exactly them',
    );
    await r.ok("FROM ducklake_delete_orphaned_files('lake', cleanup_all => true)");
    t.same(files(lake.dataPath), data, 'and deletes them');
  },
);

t.test(
  "transactions: ducklake_delete_orphaned_files(cleanup_all) during another process's open transaction deletes that transaction's files: its COMMIT succeeds and the table is unreadable",
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const [w, maintenance] = await Promise.all([lake.open(t), lake.open(t)]);
    await w.ok('BEGIN');
    await w.ok('CREATE TABLE t AS SELECT range AS x FROM range(100000)');
    t.same(
      await maintenance.ok(
        "SELECT count(*) AS n FROM ducklake_delete_orphaned_files('lake', older_than => now() - INTERVAL 1 HOUR)",
      ),
      [{ n: '0' }],
      'with older_than the in-flight file is spared',
    );
    t.same(
      await maintenance.ok("SELECT count(*) AS n FROM ducklake_delete_orphaned_files('lake', cleanup_all => true)"),
      [{ n: '1' }],
      'with cleanup_all it is deleted',
    );
    t.ok((await w.run('COMMIT')).ok, 'the writer does not notice');
    t.match(
      (await maintenance.run('SELECT sum(x) FROM t')).error,
      /^IO Error: Cannot open file ".*\/main\/t\/ducklake-[0-9a-f-]+\.parquet": No such file or directory$/,
    );
  },
);

t.test(
  'transactions: a concurrent reader sees the previous snapshot until COMMIT, never half; an open read transaction keeps its snapshot',
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const [w, r] = await Promise.all([lake.open(t), lake.open(t)]);
    await w.ok('CREATE TABLE a AS SELECT 1 AS x');
    await w.ok('CREATE TABLE b AS SELECT 1 AS x');
    const read = async () =>
      (
        await r.ok(
          "SELECT (SELECT sum(x) FROM a) AS a, (SELECT sum(x) FROM b) AS b, (SELECT count(*) FROM duckdb_tables() WHERE table_name = 'c') AS c",
        )
      )[0];
    await w.ok('BEGIN');
    await w.ok('INSERT INTO a SELECT range FROM range(100000)');
    await w.ok('INSERT INTO b SELECT range FROM range(100000)');
    await w.ok('CREATE TABLE c AS SELECT 1 AS x');
    t.same(await read(), { a: '1', b: '1', c: '0' }, 'before COMMIT: the previous snapshot');
    await r.ok('BEGIN');
    t.same(await read(), { a: '1', b: '1', c: '0' });
    await w.ok('COMMIT');
    t.same(
      await read(),
      { a: '1', b: '1', c: '0' },
      'a read transaction begun before the COMMIT still sees its snapshot',
    );
    await r.ok('COMMIT');
    t.same(await read(), { a: '4999950001', b: '4999950001', c: '1' }, 'after: all of it');
  },
);

// ---------------------------------------------------------------------------------------------- concurrency
/** Two writers on one lake, overlapping: A BEGIN + a, B BEGIN + b, A COMMIT, B COMMIT. */
async function overlap(t: Test, setup: string[], a: string[], b: string[]) {
  const lake = await pgLake(t);
  const [ca, cb] = await Promise.all([lake.open(t), lake.open(t)]);
  for (const sql of setup) await ca.ok(sql);
  await ca.ok('BEGIN');
  await cb.ok('BEGIN');
  for (const sql of a) await ca.ok(sql);
  for (const sql of b) await cb.ok(sql);
  return { lake, ca, cb, a: await ca.run('COMMIT'), b: await cb.run('COMMIT') };
}

t.test(
  'concurrency (PostgreSQL catalog): writers of different tables both commit, also creating tables in one schema',
  { skip },
  async (t) => {
    const r = await overlap(
      t,
      ['CREATE SCHEMA s', 'CREATE TABLE s.t1 (x INT)', 'CREATE TABLE s.t2 (x INT)'],
      ['INSERT INTO s.t1 SELECT range FROM range(1000)', 'CREATE TABLE s.n1 AS SELECT 1 AS x'],
      ['INSERT INTO s.t2 SELECT range FROM range(1000)', 'CREATE TABLE s.n2 AS SELECT 1 AS x'],
    );
    t.same([r.a.ok, r.b.ok], [true, true]);
    t.same(
      await r.ca.ok(
        'SELECT (SELECT count(*) FROM s.t1) AS t1, (SELECT count(*) FROM s.t2) AS t2, (SELECT count(*) FROM s.n1) + (SELECT count(*) FROM s.n2) AS n',
      ),
      [{ t1: '1000', t2: '1000', n: '2' }],
    );
  },
);

t.test(
  'concurrency (PostgreSQL catalog): appends to the same table (the shared ledger tables) both commit',
  { skip },
  async (t) => {
    const r = await overlap(
      t,
      ['CREATE TABLE step_batches (step VARCHAR, batch_id INT)', 'CREATE TABLE big (x INT)'],
      ["INSERT INTO step_batches VALUES ('a', 1)", 'INSERT INTO big SELECT range FROM range(1000)'],
      ["INSERT INTO step_batches VALUES ('b', 1)", 'INSERT INTO big SELECT range FROM range(1000)'],
    );
    t.same([r.a.ok, r.b.ok], [true, true]);
    t.same(await r.ca.ok('SELECT (SELECT count(*) FROM step_batches) AS sb, (SELECT count(*) FROM big) AS big'), [
      { sb: '2', big: '2000' },
    ]);
  },
);

t.test(
  'concurrency (PostgreSQL catalog): the second writer of a table fails at COMMIT with "Transaction conflict", keeps nothing, and a retry commits',
  { skip },
  async (t) => {
    // [first writer, second writer, message]; {t} is a fresh 1000-row table per case, <id> its table id
    const cases: [string, string, string][] = [
      [
        'DELETE FROM {t} WHERE x < 10',
        'DELETE FROM {t} WHERE x < 5',
        'attempting to delete from table with index "<id>" - but another transaction has deleted from it',
      ],
      [
        'INSERT INTO {t} VALUES (1000)',
        'DELETE FROM {t} WHERE x < 10',
        'attempting to delete from table with index "<id>" - but another transaction has inserted into it',
      ],
      [
        'DELETE FROM {t} WHERE x < 10',
        'INSERT INTO {t} SELECT range FROM range(1000)',
        'attempting to insert into table with index "<id>" - but another transaction has deleted inlined data from it',
      ],
      [
        'UPDATE {t} SET x = x + 1 WHERE x < 10',
        'UPDATE {t} SET x = x + 1 WHERE x > 90',
        'attempting to insert into table with index "<id>" - but another transaction has deleted inlined data from it',
      ],
      [
        'CREATE OR REPLACE TABLE {t} AS SELECT 1 AS x',
        'CREATE OR REPLACE TABLE {t} AS SELECT 2 AS x',
        'attempting to drop table with index "<id>" - but another transaction has dropped it already',
      ],
      [
        'DROP TABLE {t}',
        'INSERT INTO {t} VALUES (1)',
        'attempting to insert into table with index "<id>" - but another transaction has dropped it',
      ],
      [
        'ALTER TABLE {t} ADD COLUMN y INT',
        'INSERT INTO {t} (x) VALUES (1)',
        'attempting to insert into table with index "<id>" - but another transaction has altered it',
      ],
    ];
    const lake = await pgLake(t);
    const [ca, cb] = await Promise.all([lake.open(t), lake.open(t)]);
    for (const [i, [first, second, message]] of cases.entries()) {
      const [a, b] = [first, second].map((sql) => sql.replaceAll('{t}', `t${i}`));
      await ca.ok(`CREATE TABLE t${i} AS SELECT range AS x FROM range(1000)`);
      const [{ table_id: id }] = await ca.ok(
        `SELECT table_id FROM ducklake_table_info('lake') WHERE table_name = 't${i}'`,
      );
      await ca.ok('BEGIN');
      await cb.ok('BEGIN');
      await ca.ok(a);
      await cb.ok(b);
      t.ok((await ca.run('COMMIT')).ok, `first: ${first}`);
      t.equal((await cb.run('COMMIT')).error, CONFLICT + message.replace('<id>', String(id)), `second: ${second}`);
      t.equal(
        (await cb.run('ROLLBACK')).error,
        'TransactionContext Error: cannot rollback - no transaction is active',
        'the failed transaction is already gone',
      );
      if (!first.startsWith('DROP')) t.ok((await cb.run(b)).ok, 'the retry, on the new snapshot, commits');
    }
  },
);

t.test(
  'concurrency (PostgreSQL catalog): two DELETEs of disjoint rows of one (Parquet) table both commit',
  { skip },
  async (t) => {
    const r = await overlap(
      t,
      ['CREATE TABLE t AS SELECT range AS x FROM range(1000)'],
      ['DELETE FROM t WHERE x < 10'],
      ['DELETE FROM t WHERE x > 90'],
    );
    t.same([r.a.ok, r.b.ok], [true, true]);
    t.same(await r.ca.ok('SELECT count(*) AS n FROM t'), [{ n: '81' }]);
  },
);

t.test(
  'concurrency (PostgreSQL catalog): two steps creating the same schema or table on their first run conflict too',
  { skip },
  async (t) => {
    const schema = await overlap(
      t,
      [],
      ['CREATE SCHEMA IF NOT EXISTS s', 'CREATE TABLE s.a (x INT)'],
      ['CREATE SCHEMA IF NOT EXISTS s', 'CREATE TABLE s.b (x INT)'],
    );
    t.ok(schema.a.ok);
    t.equal(
      schema.b.error,
      CONFLICT +
        'attempting to create schema with name "s" - but another transaction has created a schema with this name already',
    );
    const table = await overlap(
      t,
      [],
      ['CREATE TABLE IF NOT EXISTS t (x INT)'],
      ['CREATE TABLE IF NOT EXISTS t (x INT)'],
    );
    t.equal(
      table.b.error,
      CONFLICT +
        'attempting to create table "t" in schema "main" - but this table has been created by another transaction already',
    );
  },
);

t.test(
  'concurrency (PostgreSQL catalog): snapshot isolation, not serializable: a step reading a table another step is changing commits on the old data',
  { skip },
  async (t) => {
    const r = await overlap(
      t,
      ['CREATE TABLE t AS SELECT 1 AS x', 'CREATE TABLE summary (n BIGINT)'],
      ['INSERT INTO t VALUES (2)'],
      ['INSERT INTO summary SELECT count(*) FROM t'],
    );
    t.same([r.a.ok, r.b.ok], [true, true]);
    t.same(
      await r.ca.ok('SELECT (SELECT n FROM summary) AS summary, (SELECT count(*) FROM t) AS t'),
      [{ summary: '1', t: '2' }],
      'the lineage order must keep such steps apart',
    );
  },
);

t.test(
  'concurrency (DuckDB-file catalog): one process at a time, like a DuckDB file (read-only attaches may share)',
  async (t) => {
    const catalog = join(folder(t), 'catalog.ducklake');
    const [a, b, c] = await Promise.all([client(t), client(t), client(t)]);
    await a.ok(attachSql(catalog, 'lake', join(folder(t), 'data') + '/'));
    const second = await b.run(attachSql(catalog));
    t.match(
      second.error,
      new RegExp(
        `^IO Error: Failed to attach DuckLake MetaData "__ducklake_metadata_lake" at path \\+ "${catalog}"Could not set lock on file "${catalog}": Conflicting lock is held in .* \\(PID ${a.process.pid}\\)`,
      ),
    );
    t.match(
      (await b.run(`ATTACH 'ducklake:${catalog}' AS lake (READ_ONLY)`)).error,
      /Could not set lock on file/,
      'not even read-only while a writer is attached',
    );
    await a.close();
    await b.ok(`ATTACH 'ducklake:${catalog}' AS lake (READ_ONLY)`);
    await c.ok(`ATTACH 'ducklake:${catalog}' AS lake (READ_ONLY)`);
    t.pass('two read-only attaches together');
  },
);

t.test(
  'concurrency (SQLite catalog): several processes may attach, but overlapping write transactions fail with "database is locked"',
  async (t) => {
    const catalog = `sqlite:${join(folder(t), 'catalog.sqlite')}`;
    const [a, b] = await Promise.all([client(t), client(t)]);
    await a.ok(attachSql(catalog, 'lake', join(folder(t), 'data') + '/'));
    await a.ok('CREATE TABLE lake.t1 (x INT)');
    await a.ok('CREATE TABLE lake.t2 (x INT)');
    await b.ok(attachSql(catalog));
    t.ok((await b.run('INSERT INTO lake.t2 VALUES (1)')).ok, 'one at a time works');
    await a.ok('BEGIN');
    await a.ok('INSERT INTO lake.t1 SELECT range FROM range(100)');
    await b.ok('BEGIN');
    await b.ok('INSERT INTO lake.t2 SELECT range FROM range(100)');
    const [ca, cb] = [await a.run('COMMIT'), await b.run('COMMIT')];
    t.match(
      [ca.error, cb.error].join('\n'),
      /database is locked/,
      'different tables, yet a commit fails (both, when the file is in rollback-journal mode, after a 5 s busy wait)',
    );
  },
);

// ---------------------------------------------------------------------------------------------- SQL surface
const UNSUPPORTED: [string, string][] = [
  [
    'CREATE TABLE pk (id INTEGER PRIMARY KEY)',
    'Not implemented Error: PRIMARY KEY/UNIQUE constraints are not supported in DuckLake',
  ],
  [
    'CREATE TABLE uq (id INTEGER UNIQUE)',
    'Not implemented Error: PRIMARY KEY/UNIQUE constraints are not supported in DuckLake',
  ],
  [
    'CREATE TABLE ck (id INTEGER CHECK (id > 0))',
    'Not implemented Error: CHECK constraints are not supported in DuckLake',
  ],
  [
    'CREATE TABLE gen (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2))',
    'Not implemented Error: DuckLake does not support generated columns',
  ],
  ['CREATE INDEX t_id ON t (id)', 'Not implemented Error: DuckLake does not support indexes'],
  [
    'ALTER TABLE t ADD PRIMARY KEY (id)',
    'Not implemented Error: Adding indexes or constraints is not supported in DuckLake',
  ],
  ['CREATE SEQUENCE seq START 1', 'Not implemented Error: DuckLake does not support sequences'],
  ["CREATE TYPE mood AS ENUM ('a', 'b')", 'Not implemented Error: DuckLake does not support user-defined types'],
  [
    "CREATE TABLE en (m ENUM('a', 'b'))",
    "Invalid Input Error: Failed to convert DuckDB type to DuckLake - unsupported type ENUM('a', 'b')",
  ],
  [
    'CREATE TABLE arr (a INTEGER[3])',
    'Invalid Input Error: Failed to convert DuckDB type to DuckLake - unsupported type INTEGER[3]',
  ],
  [
    'CREATE TABLE un (u UNION(a INT, b VARCHAR))',
    'Invalid Input Error: Failed to convert DuckDB type to DuckLake - unsupported type UNION(a INTEGER, b VARCHAR)',
  ],
  [
    'CREATE TABLE bits (b BIT)',
    'Invalid Input Error: Failed to convert DuckDB type to DuckLake - unsupported type BIT',
  ],
  [
    "INSERT OR REPLACE INTO t VALUES (1, 'q')",
    'Binder Error: There are no UNIQUE/PRIMARY KEY constraints that refer to this table, specify ON CONFLICT columns manually',
  ],
  [
    "INSERT INTO t VALUES (1, 'q') ON CONFLICT DO NOTHING",
    'Binder Error: There are no UNIQUE/PRIMARY KEY constraints that refer to this table, specify ON CONFLICT columns manually',
  ],
  [
    "INSERT INTO t VALUES (1, 'q') ON CONFLICT (id) DO UPDATE SET v = excluded.v",
    'Binder Error: The specified columns as conflict target are not referenced by a UNIQUE/PRIMARY KEY CONSTRAINT or INDEX',
  ],
];

t.test('SQL surface: what DuckLake refuses, with the exact message', { skip }, async (t) => {
  const lake = await pgLake(t);
  const c = await lake.open(t);
  await c.ok("CREATE TABLE t AS SELECT 1 AS id, 'a' AS v");
  for (const [sql, error] of UNSUPPORTED) t.equal((await c.run(sql)).error, error, sql);
});

t.test('SQL surface: what works inside one transaction, as a step runs it', { skip }, async (t) => {
  const lake = await pgLake(t);
  const csv = join(folder(t), 'in.csv');
  writeFileSync(csv, 'id,name\n1,a\n2,b\n3,c,extra\n');
  const c = await lake.open(t);
  await c.ok('BEGIN');
  for (const sql of [
    'CREATE SCHEMA IF NOT EXISTS s',
    "CREATE TABLE s.t (id INTEGER NOT NULL, v VARCHAR DEFAULT 'x', h HUGEINT, d DECIMAL(38, 2), l INTEGER[], st STRUCT(a INT), m MAP(VARCHAR, INT), j JSON, u UUID)",
    'INSERT INTO s.t (id) SELECT range FROM range(100)',
    "UPDATE s.t SET v = 'y' WHERE id < 10",
    'DELETE FROM s.t WHERE id >= 90',
    "MERGE INTO s.t USING (SELECT 1 AS id, 'm' AS v UNION ALL SELECT 500, 'n') AS src ON s.t.id = src.id WHEN MATCHED THEN UPDATE SET v = src.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (src.id, src.v)",
    'CREATE OR REPLACE TABLE s.r AS SELECT * FROM s.t',
    'TRUNCATE s.r',
    'ALTER TABLE s.t ADD COLUMN w INTEGER DEFAULT 7',
    'ALTER TABLE s.t RENAME COLUMN v TO vv',
    'ALTER TABLE s.t ALTER COLUMN id TYPE BIGINT',
    'CREATE VIEW s.v AS SELECT id FROM s.t WHERE id < 5',
    'CREATE MACRO s.add1(x) AS x + 1',
    'CREATE TEMP TABLE tmp AS SELECT 1 AS x',
    'CREATE OR REPLACE TEMP MACRO tadd(x) AS x + 10',
    'CREATE TABLE s.c (id VARCHAR, name VARCHAR)',
    `COPY s.c FROM '${csv}' (HEADER, IGNORE_ERRORS)`,
    `CREATE TABLE s.rj AS SELECT * FROM read_csv('${csv}', header = true, all_varchar = true, store_rejects = true, rejects_table = 'rejects', rejects_scan = 'reject_scans')`,
    "COMMENT ON TABLE s.t IS 'hello'",
    'SET preserve_insertion_order = false',
  ])
    t.ok((await c.run(sql)).ok, sql);
  await c.ok('COMMIT');
  t.same(
    await c.ok(
      "SELECT count(*) AS n, count(*) FILTER (vv = 'y') AS y, count(*) FILTER (vv = 'm') AS m, min(w) AS w FROM s.t",
    ),
    [{ n: '91', y: '9', m: '1', w: 7 }],
  );
  t.same(
    await c.ok(
      "SELECT database_name, table_name FROM duckdb_tables() WHERE table_name IN ('tmp', 'rejects', 'reject_scans') ORDER BY 2",
    ),
    [
      { database_name: 'temp', table_name: 'reject_scans' },
      { database_name: 'temp', table_name: 'rejects' },
      { database_name: 'temp', table_name: 'tmp' },
    ],
    'temp and rejects tables live in the session, not the lake',
  );
  t.same(
    await c.ok(
      'SELECT (SELECT count(*) FROM s.c) AS copied, (SELECT count(*) FROM s.rj) AS read, (SELECT count(*) FROM rejects) AS rejected',
    ),
    [{ copied: '2', read: '2', rejected: '1' }],
  );
});

t.test(
  'SQL surface: views and macros are stored in the lake (the next process has them); TEMP macros are not',
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const a = await lake.open(t);
    for (const sql of [
      'CREATE TABLE t AS SELECT range AS id FROM range(10)',
      'CREATE VIEW v AS SELECT id FROM t WHERE id < 3',
      'CREATE MACRO add1(x) AS x + 1',
      'CREATE MACRO firsts(n) AS TABLE SELECT id FROM t WHERE id < n',
      'CREATE TEMP MACRO tadd(x) AS x + 10',
    ])
      await a.ok(sql);
    await a.close();
    t.same(await lake.catalogQuery('SELECT macro_name FROM ducklake_macro ORDER BY 1'), [
      { macro_name: 'add1' },
      { macro_name: 'firsts' },
    ]);
    t.same(await lake.catalogQuery('SELECT view_name FROM ducklake_view'), [{ view_name: 'v' }]);
    const b = await lake.open(t);
    t.same(await b.ok('SELECT (SELECT count(*) FROM v) AS v, add1(1) AS m, (SELECT count(*) FROM firsts(5)) AS tm'), [
      { v: '3', m: 2, tm: '5' },
    ]);
    t.equal(
      (await b.run('SELECT tadd(1)')).error!.split('\n')[0],
      'Catalog Error: Scalar Function with name tadd does not exist!',
    );
  },
);

t.test(
  "SQL surface: the example pipeline's rendered SQL runs unchanged on a lake, one process and transaction per step, with the same tables as on a DuckDB file",
  { skip },
  async (t) => {
    const dir = exampleCopy(folder(t));
    const config = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    delete config.ducksteps.archive; // keep the landing files where the compiled SQL reads them
    writeFileSync(join(dir, 'package.json'), JSON.stringify(config));
    const run = await execa('./run.sh', ['--var', 'orders=3000'], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
    if (run.exitCode !== 0) return t.fail(`./run.sh on a DuckDB file failed:\n${run.stdout}${run.stderr}`);
    const lake = await pgLake(t);
    const compiled = join(dir, 'logs', 'compiled');
    for (const step of readdirSync(compiled)
      .filter((d) => /^\d+_/.test(d))
      .sort()) {
      const c = await client(t, { cwd: dir });
      await c.ok(attachSql(lake.catalog, 'lake', lake.dataPath));
      await c.ok('USE lake');
      await c.ok('BEGIN');
      for (const file of readdirSync(join(compiled, step)).sort()) {
        const answer = await c.runFile(join(compiled, step, file));
        t.ok(answer.ok, `${step}/${file}${answer.ok ? '' : ` statement ${answer.failed! + 1}: ${answer.error}`}`);
      }
      await c.ok('COMMIT');
      await c.close();
    }
    const c = await lake.open(t);
    for (const file of readdirSync(join(compiled, 'tests')).sort())
      t.ok((await c.runFile(join(compiled, 'tests', file))).ok, `assertions tests/${file} run`);
    const tables = (
      await c.ok(
        "SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() WHERE database_name = 'lake' ORDER BY 1",
      )
    ).map((r) => String(r.t));
    t.same(tables, [
      'core.customers',
      'core.orders',
      'core.orders_enriched',
      'core.products',
      'core.rejected_orders',
      'mart.customer_features',
      'mart.daily_revenue',
      'raw.customers',
      'raw.orders',
      'raw.orders_malformed',
      'raw.products',
    ]);
    for (const table of tables) {
      const sql = `SELECT count(*) AS n, bit_xor(hash(x)) AS h FROM ${table} AS x`;
      const [onFile] = await query(join(dir, 'data', 'warehouse.duckdb'), sql);
      const [onLake] = await c.ok(sql);
      t.same([String(onLake.n), String(onLake.h)], [String(onFile.n), String(onFile.h)], `${table}: same rows`);
    }
  },
);

// ---------------------------------------------------------------------------------------------- run lock
t.test(
  "run lock: a session advisory lock taken through DuckDB's postgres extension is released at once (its pool runs DISCARD ALL)",
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const [a, b] = await Promise.all([client(t), client(t)]);
    for (const c of [a, b])
      await c.ok(
        `ATTACH 'dbname=${lake.dbname} host=127.0.0.1 port=${server!.port} user=postgres' AS pgc (TYPE postgres)`,
      );
    const take = "SELECT * FROM postgres_query('pgc', 'SELECT pg_try_advisory_lock(4242) AS got')";
    t.same(await a.ok(take), [{ got: true }]);
    t.same(
      await lake.catalogQuery("SELECT objid FROM pg_locks WHERE locktype = 'advisory'"),
      [],
      'no lock held after the statement',
    );
    t.same(await b.ok(take), [{ got: true }], 'so a second process "gets" it too');
    await a.ok('BEGIN');
    t.same(await a.ok("SELECT * FROM postgres_query('pgc', 'SELECT pg_try_advisory_xact_lock(4243) AS got')"), [
      { got: true },
    ]);
    t.same(
      await lake.catalogQuery("SELECT objid FROM pg_locks WHERE locktype = 'advisory'"),
      [{ objid: 4243 }],
      'a transaction lock inside a DuckDB transaction is held…',
    );
    await a.ok('COMMIT');
    t.same(await lake.catalogQuery("SELECT objid FROM pg_locks WHERE locktype = 'advisory'"), [], '…until its COMMIT');
  },
);

t.test(
  'run lock: a session advisory lock held by the driver with `pg` excludes other runs and is released when its process is kill -9ed',
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const url = server!.url.replace(/\/postgres$/, `/${lake.dbname}`);
    const LOCK = "SELECT pg_try_advisory_lock(hashtextextended('ducksteps run lock', 0)) AS got";
    const holder = execa(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `
    import pg from 'pg';
    const c = new pg.Client({ connectionString: ${JSON.stringify(url)}, application_name: 'ducksteps run r1 pid ' + process.pid, keepAlive: true });
    await c.connect();
    await c.query('SET tcp_keepalives_idle = 30');
    console.log(JSON.stringify((await c.query(${JSON.stringify(LOCK)})).rows[0]));
    setInterval(() => {}, 1000);`,
      ],
      { cwd: REPO, reject: false },
    );
    const first = await new Promise<string>((resolve) => holder.stdout!.once('data', (d) => resolve(String(d))));
    t.same(JSON.parse(first), { got: true });
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    t.teardown(() => other.end());
    t.same((await other.query(LOCK)).rows, [{ got: false }], 'a second run is refused');
    const who = await other.query(
      "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted",
    );
    t.same(who.rows, [{ application_name: `ducksteps run r1 pid ${holder.pid}` }], 'and can say who holds it');
    holder.kill('SIGKILL');
    await holder;
    let got = false;
    for (let i = 0; i < 50 && !got; i++) {
      got = Boolean((await other.query(LOCK)).rows[0].got);
      if (!got) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.ok(got, "the holder's session ended with its process, and so did the lock");
  },
);

// ---------------------------------------------------------------------------------------------- snapshots
t.test(
  'snapshots: ducklake_snapshots lists each commit (with a commit message); AT (VERSION => n) and ATTACH … (SNAPSHOT_VERSION n) read the lake as of n',
  { skip },
  async (t) => {
    const lake = await pgLake(t);
    const c = await lake.open(t);
    await c.ok('CREATE TABLE t AS SELECT 1 AS x');
    const [{ id }] = await c.ok("SELECT id FROM ducklake_current_snapshot('lake')");
    await c.ok('BEGIN');
    await c.ok(
      "CALL ducklake_set_commit_message('lake', 'ducksteps', 'run r1 step 02_extract batch 3', extra_info => '{\"run\": \"r1\"}')",
    );
    await c.ok('INSERT INTO t VALUES (2)');
    await c.ok('COMMIT');
    t.same(
      await c.ok(
        "SELECT snapshot_id, author, commit_message, commit_extra_info, changes FROM ducklake_snapshots('lake') ORDER BY snapshot_id DESC LIMIT 1",
      ),
      [
        {
          snapshot_id: String(Number(id) + 1),
          author: 'ducksteps',
          commit_message: 'run r1 step 02_extract batch 3',
          commit_extra_info: '{"run": "r1"}',
          changes: [{ key: 'inlined_insert', value: ['1'] }],
        },
      ],
    );
    t.same(await c.ok(`SELECT list(x) AS xs FROM t AT (VERSION => ${id})`), [{ xs: [1] }]);
    t.equal(
      (await c.run('SELECT * FROM t AT (VERSION => (SELECT 1))')).error,
      'Binder Error: AT clause cannot contain subqueries',
      'the version must be a constant',
    );
    const old = await client(t);
    await old.ok(`ATTACH 'ducklake:${lake.catalog}' AS old (SNAPSHOT_VERSION ${id})`);
    t.same(await old.ok('SELECT list(x) AS xs FROM old.t'), [{ xs: [1] }]);
    t.equal(
      (await old.run('INSERT INTO old.t VALUES (3)')).error,
      'Invalid Input Error: Cannot execute statement of type "INSERT" on database "old" which is attached in read-only mode!',
    );
    t.same(
      await c.ok(
        `SELECT change_type, x FROM ducklake_table_changes('lake', 'main', 't', ${Number(id) + 1}, ${Number(id) + 1})`,
      ),
      [{ change_type: 'insert', x: 2 }],
    );
  },
);
