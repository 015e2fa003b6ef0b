// What a user of a lake relies on, at its edges: a run whose lock session ends is fenced out once another run
// takes the lake over (no file twice); two pipelines keep separate ledgers on one lake; a password goes only
// where it was given; a lost catalog connection or an unusable data path is said as what it is.
import t, { type Test } from 'tap';
import pg from 'pg';
import { execa } from 'execa';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { CLI, cli, printed, project, readCsv } from './helpers.js';
import { EXTENSIONS, LAKE_ENV, lakeServer, newLake } from './lake-server.js';
import { OLD_LEDGER, pipelineProject } from './pipelines.js';
import { openLake } from '../lib/engines/ducklake/lake.js';
import { warehouseOf } from '../lib/warehouse.js';

const LOAD = `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS ev (batch_id INTEGER, v INTEGER);
INSERT INTO ev SELECT {{ batch.id }}, v FROM read_csv({{ batch.files.ev }}, header = true, columns = {'v': 'INTEGER'});`;

/** A pipeline whose step, when HOLD is set, says it began and waits for `go` before it commits. */
function holdingProject(root: string, name: string, began: string, go: string): string {
  const dir = join(root, name);
  for (const folder of ['sql/01_load', 'steps', 'data/landing']) mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'shop', ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
  );
  writeFileSync(join(dir, 'sql/01_load/a.sql'), LOAD);
  writeFileSync(
    join(dir, 'steps/01_load.ts'),
    `import { existsSync, writeFileSync } from 'node:fs';
export async function after() {
  if (!process.env.HOLD) return;
  writeFileSync(${JSON.stringify(began)}, '');
  while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 50));
}
`,
  );
  land(dir, 'a.csv', 0);
  land(dir, 'b.csv', 10);
  return dir;
}

/** A landing file of ten values from `from`. */
const land = (dir: string, name: string, from: number) =>
  writeFileSync(join(dir, 'data/landing', name), `v\n${Array.from({ length: 10 }, (_, i) => from + i).join('\n')}\n`);

/** Resolves once `path` exists; rejects when the run ends before. */
async function until(path: string, run: ReturnType<typeof cli>): Promise<void> {
  let ended = false;
  void run.then((r) => {
    ended = true;
    return r;
  });
  while (!existsSync(path)) {
    if (ended) throw new Error(`the run ended first:\n${(await run).stdout}${(await run).stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

t.test(
  'a run whose lock session ends while it runs is fenced out once another run takes over: no file twice, and both runs say so',
  async (t) => {
    const root = t.testdir();
    const [began, go] = [join(root, 'began'), join(root, 'go')];
    const first = holdingProject(root, 'first', began, go);
    const lake = await newLake(t, root);
    const args = ['--db', lake.db, '--data-path', lake.dataPath];
    t.equal((await cli(first, args, LAKE_ENV)).exitCode, 0, 'yesterday: the tables and the ledger exist');
    land(first, 'c.csv', 20);
    land(first, 'd.csv', 30);
    const running = cli(first, args, { ...LAKE_ENV, HOLD: '1' });
    const lost = printed(running, "the run lock's connection to PostgreSQL ended");
    await until(began, running); // inside its step's transaction, files recorded, not committed
    const server = await lakeServer(t);
    const { rowCount } = await server.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ducksteps lock shop'",
    ); // as idle_session_timeout, a failover or a network break would end it
    t.equal(rowCount, 1, 'the lock session ended');
    await lost;
    const second = join(root, 'second'); // the same pipeline, started elsewhere
    cpSync(first, second, { recursive: true });
    const takeover = await cli(second, args, LAKE_ENV);
    t.equal(takeover.exitCode, 0, takeover.stdout + takeover.stderr);
    t.match(
      takeover.stdout,
      /· run \S+ \(host [^,]+, PID \d+, started \S+\) held the lake's run lock of pipeline "shop" and its connection to PostgreSQL ended without releasing it: it died, or it lost the connection and is still running\. This run takes the lake over/,
      'the run that takes over says so',
    );
    writeFileSync(go, '');
    const fenced = await running;
    t.equal(fenced.exitCode, 1, 'the first run cannot commit');
    t.match(
      fenced.stdout,
      /this run no longer holds the lake's run lock of pipeline "shop": run \S+ \(host [^,]+, PID \d+\) took it over at \S+; nothing of this step was committed/,
    );
    t.same(
      await lake.query('SELECT count(*) AS n, count(DISTINCT v) AS d FROM ev'),
      [{ n: 40, d: 40 }],
      'every row once',
    );
    t.same(await lake.query('SELECT count(*) AS n FROM ducksteps.loaded_files'), [{ n: 4 }]);
    const log = await readCsv(join(second, 'logs/run_log.csv'));
    t.ok(
      log.some((r) => r.status === 'interrupted' && /lost the run lock to run/.test(String(r.error))),
      'the new run logs the old one as having lost its lock, not as never finished',
    );
  },
);

t.test(
  'a catalog password goes only where it was given: the URL form is masked everywhere, and a publish target without a password does not get the lake’s',
  async (t) => {
    const dir = project(t, undefined, {
      'package.json': JSON.stringify({ name: 'secrets' }),
      sql: { '01_t': { 'a.sql': 'CREATE OR REPLACE TABLE t AS SELECT 1 AS x;' } },
      publish: { '01_t.sql': '-- publish: postgres public.t_copy\nSELECT * FROM t' },
    });
    const lake = await newLake(t, dir);
    const server = await lakeServer(t);
    const url = `ducklake:postgres:postgresql://ducksteps:secret-pw@127.0.0.1:${server.port}/${lake.dbname}`;
    const args = ['--db', url, '--data-path', lake.dataPath];
    const publish = { ...LAKE_ENV, DUCKSTEPS_PG_URL: `postgres://ducksteps@127.0.0.1:${server.port}/postgres` }; // no password in it
    const run = await cli(dir, args, publish);
    t.equal(run.exitCode, 1, 'the publish target could not log in');
    t.match(
      run.stdout,
      /publish public\.t_copy: .*password/i,
      'PostgreSQL asked the target for a password it was not given',
    );
    t.same(await lake.query('SELECT x FROM t'), [{ x: 1 }], 'the lake took the password from the URL');
    writeFileSync(join(dir, 'sql/01_t/a.sql'), 'SELECT 1;\nSELECT * FROM no_such_table;');
    const failed = await cli(dir, args, LAKE_ENV);
    t.equal(failed.exitCode, 1);
    const written = ['logs/run_log.csv', 'logs/last_run.json', 'logs/report.html', 'logs/01_t.csv']
      .filter((f) => existsSync(join(dir, f)))
      .map((f) => readFileSync(join(dir, f), 'utf8'));
    t.ok(written.length >= 3, 'the logs were written');
    for (const text of [run.stdout, run.stderr, failed.stdout, failed.stderr, ...written])
      t.notOk(text.includes('secret-pw'), 'no password in the console or the logs');
    t.match(readFileSync(join(dir, 'logs/last_run.json'), 'utf8'), /postgresql:\/\/ducksteps:\*\*\*@127\.0\.0\.1/);
  },
);

/** Whether the lake's catalog tables exist in its PostgreSQL database. */
async function catalogCreated(t: Test, dbname: string): Promise<boolean> {
  const server = await lakeServer(t);
  const client = new pg.Client({ connectionString: server.url.replace(/\/postgres$/, `/${dbname}`) });
  await client.connect();
  try {
    return (await client.query("SELECT to_regclass('ducklake_metadata') AS t")).rows[0].t !== null;
  } finally {
    await client.end();
  }
}

/** Runs the CLI with `folder` read-only: a read-only bind mount as root (permissions do not stop root), else
 * a folder without write permission. */
function readOnlyCli(folder: string, cwd: string, args: string[], env: Record<string, string>) {
  const node = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  if (userInfo().uid !== 0) {
    chmodSync(folder, 0o555);
    return cli(cwd, args, env);
  }
  const script = `mount --bind '${folder}' '${folder}' && mount -o remount,ro,bind '${folder}' && exec ${node}`;
  return execa('unshare', ['-m', 'sh', '-c', script], { cwd, reject: false, env: { NO_COLOR: '1', ...env } });
}

t.test(
  'a data path that cannot be written is said so, and a new lake does not record it; a data path that is not the lake’s says which one is',
  async (t) => {
    const dir = project(t, undefined, {
      'package.json': JSON.stringify({ name: 'paths' }),
      sql: { '01_t': { 'a.sql': 'CREATE OR REPLACE TABLE t AS SELECT 1 AS x;' } },
      readonly: {},
    });
    const lake = await newLake(t, dir);
    const bad = join(dir, 'readonly', 'lake');
    const refused = await readOnlyCli(join(dir, 'readonly'), dir, ['--db', lake.db, '--data-path', bad], LAKE_ENV);
    t.equal(refused.exitCode, 2, refused.stdout + refused.stderr);
    t.match(
      refused.stderr,
      /the lake's data path \S+\/readonly\/lake\/ cannot be written \(\S+\/readonly: (a read-only file system|permission denied)\)/,
    );
    t.match(refused.stderr, /\n\s+give a folder this machine can write with --data-path/);
    t.equal(await catalogCreated(t, lake.dbname), false, 'no catalog was created with it');
    const good = await cli(dir, ['--db', lake.db, '--data-path', lake.dataPath], LAKE_ENV);
    t.equal(good.exitCode, 0, 'the lake is created with a data path that works: the bad one was not recorded');
    const elsewhere = await cli(dir, ['--db', lake.db, '--data-path', join(dir, 'elsewhere')], LAKE_ENV);
    t.equal(elsewhere.exitCode, 2);
    t.match(
      elsewhere.stderr,
      /this lake keeps its data in \S+lake-\d+\/ \(fixed when the lake was created\), not in \S+\/elsewhere\//,
    );
    t.match(elsewhere.stderr, /\n\s+run with --data-path \S+lake-\d+\//);
    t.notMatch(elsewhere.stderr, /check the --db path/);
  },
);

t.test(
  'a catalog connection that drops during a step is said as that, not in DuckDB’s words; the step is not committed',
  async (t) => {
    const root = t.testdir();
    const [began, go] = [join(root, 'began'), join(root, 'go')];
    const dir = holdingProject(root, 'dropped', began, go);
    const lake = await newLake(t, root);
    const running = cli(dir, ['--db', lake.db, '--data-path', lake.dataPath], { ...LAKE_ENV, HOLD: '1' });
    await until(began, running);
    const server = await lakeServer(t);
    await server.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name NOT LIKE 'ducksteps lock%'",
      [lake.dbname],
    ); // the worker's catalog connections (a failover, a restart, a network break)
    writeFileSync(go, '');
    const run = await running;
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      new RegExp(
        `the connection to the lake's catalog \\(PostgreSQL 127\\.0\\.0\\.1:${server.port}, database ${lake.dbname}\\) was lost or refused`,
      ),
    );
    t.match(run.stdout, /hint: check that the server runs and can be reached, then run again/);
    t.notMatch(
      run.stdout,
      /Failed to execute query "ROLLBACK"|at steps\/01_load\.ts/,
      'neither DuckDB’s words nor the script blamed',
    );
    const again = await cli(dir, ['--db', lake.db, '--data-path', lake.dataPath], LAKE_ENV);
    t.equal(again.exitCode, 0, again.stdout + again.stderr);
    t.same(await lake.query('SELECT count(*) AS n FROM ev'), [{ n: 20 }], 'the run again loads the files once');
  },
);

t.test(
  'two pipelines on one lake keep separate ledgers; a lake whose ledger the previous version made keeps working, migrated in place',
  async (t) => {
    const root = t.testdir();
    const a = pipelineProject(root, 'pipe-a', 'ev_a', { 'a.csv': 'v\n1\n', 's.csv': 'v\n7\n' });
    const b = pipelineProject(root, 'pipe-b', 'ev_b', { 'a.csv': 'v\n2\n', 's.csv': 'v\n7\n' });
    for (const f of ['a.csv', 's.csv']) utimesSync(join(b, 'data/landing', f), 1e9, 1e9); // files of its own
    const lake = await newLake(t, root);
    const args = ['--db', lake.db, '--data-path', lake.dataPath];
    t.equal((await cli(a, args, LAKE_ENV)).exitCode, 0);
    const warehouse = warehouseOf(root, { database: lake.db, dataPath: lake.dataPath, extensionDir: EXTENSIONS });
    if (warehouse.engine !== 'ducklake') throw new Error('not a lake');
    const old = await openLake(warehouse);
    for (const sql of OLD_LEDGER) await old.run(sql); // as the previous version left it: one ledger, no pipeline
    old.close();
    const other = await cli(b, args, LAKE_ENV);
    t.equal(other.exitCode, 0, other.stdout + other.stderr);
    t.match(other.stdout, /ev: 2 new files \(0 loaded/, 'the first pipeline’s rows are not the second’s');
    const refresh = await cli(b, [...args, '--full-refresh'], LAKE_ENV);
    t.equal(refresh.exitCode, 0, refresh.stdout + refresh.stderr);
    writeFileSync(join(a, 'data/landing/n.csv'), 'v\n3\n');
    const next = await cli(a, args, LAKE_ENV);
    t.equal(next.exitCode, 0, next.stdout + next.stderr);
    t.match(next.stdout, /ev: 1 new file \(2 loaded/, 'the first pipeline still knows its files');
    t.same(
      await lake.query(
        "SELECT (SELECT string_agg(v::VARCHAR, ',' ORDER BY v) FROM ev_a) AS a, (SELECT string_agg(v::VARCHAR, ',' ORDER BY v) FROM ev_b) AS b",
      ),
      [{ a: '1,3,7', b: '2,7' }],
    );
    t.same(await lake.query('SELECT pipeline, count(*) AS n FROM ducksteps.loaded_files GROUP BY 1 ORDER BY 1'), [
      { pipeline: 'pipe-a', n: 3 },
      { pipeline: 'pipe-b', n: 2 },
    ]);
  },
);
