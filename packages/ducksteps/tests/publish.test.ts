// Publish on pass, against a real PostgreSQL server started here (skipped, saying why, where none exists).
import t from 'tap';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, query } from './helpers.js';
import { postgresBin, startPostgres, type PostgresServer } from './postgres-server.js';

const TYPES = `CREATE OR REPLACE TABLE typed AS
SELECT * FROM (VALUES
  (1, true, 42::TINYINT, 7::SMALLINT, 2147483647, 9007199254740993::BIGINT, 170141183460469231731687303715884105727::HUGEINT,
   12345.67::DECIMAL(12, 2), 0.1::DOUBLE, 1.5::FLOAT, 'plain', DATE '2024-02-29', TIMESTAMP '2024-01-02 03:04:05.123456',
   TIMESTAMPTZ '2024-01-02 03:04:05+00', [1, 2, 3], {'a': 1, 'b': 'x'}, '\\xAA\\x00\\xFF'::BLOB, INTERVAL 2 DAY, 'aa0e8400-e29b-41d4-a716-446655440000'::UUID),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, false, -1, -2, -3, -4, -5, -0.01, 'inf'::DOUBLE, -0.0, '', DATE '1970-01-01', TIMESTAMP '1999-12-31 23:59:59', TIMESTAMPTZ '2000-01-01 00:00:00+00', [], {'a': NULL, 'b': ''}, ''::BLOB, INTERVAL 0 SECOND, NULL),
  (4, true, 0, 0, 0, 0, 0, 0, 0, 0, 'quote " comma , tab \t newline
line backslash \\ \\. üñíçødé ✓ 漢字', DATE '2024-01-01', NULL, NULL, [4], NULL, NULL, NULL, NULL)
) AS v(id, b, ti, si, i, bi, hi, dec, dbl, flt, txt, d, ts, tstz, lst, st, bl, iv, uu);`;

const PG_TARGET = (mode = 'replace', extra = '') =>
  `-- publish: postgres ml.typed\n-- mode: ${mode}\n${extra}SELECT * FROM typed`;

let server: PostgresServer | undefined;
const skip = postgresBin()
  ? false
  : 'PostgreSQL server binaries (initdb, pg_ctl) are not installed here: apt-get install postgresql-15';

t.before(async () => {
  if (skip) return;
  server = await startPostgres();
  await server.query('CREATE SCHEMA ml');
});
t.teardown(async () => server?.stop());

const env = () => ({ DUCKSTEPS_PG_URL: server!.passwordUrl });

t.test('every mapped type, NULLs and awkward text survive the round trip to PostgreSQL', { skip }, async (t) => {
  const dir = project(t, undefined, { sql: { '01_types': { 'a.sql': TYPES } }, publish: { '01_pg.sql': PG_TARGET() } });
  const run = await cli(dir, ['--verbose'], env()); // --verbose: the publish table, a row per target
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.match(run.stdout, /│ ml\.typed\s+│ ok\s+│ 4\s+│/);
  const columns = await server!.query(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ml' AND table_name = 'typed' ORDER BY ordinal_position",
  );
  t.same(
    columns.rows.map((r) => r.data_type),
    [
      'integer',
      'boolean',
      'smallint',
      'smallint',
      'integer',
      'bigint',
      'numeric',
      'numeric',
      'double precision',
      'real',
      'text',
      'date',
      'timestamp without time zone',
      'timestamp with time zone',
      'jsonb',
      'jsonb',
      'bytea',
      'interval',
      'uuid',
    ],
  );
  const rows = (
    await server!
      .query(`SELECT id, b, ti, si, i, bi::text, hi::text, dec::text, dbl::text, flt::text, txt, d::text, ts::text,
    (tstz AT TIME ZONE 'UTC')::text AS tstz, lst::text, st::text, encode(bl, 'hex') AS bl, iv::text, uu::text FROM ml.typed ORDER BY id`)
  ).rows;
  t.same(rows[0], {
    id: 1,
    b: true,
    ti: 42,
    si: 7,
    i: 2147483647,
    bi: '9007199254740993',
    hi: '170141183460469231731687303715884105727',
    dec: '12345.67',
    dbl: '0.1',
    flt: '1.5',
    txt: 'plain',
    d: '2024-02-29',
    ts: '2024-01-02 03:04:05.123456',
    tstz: '2024-01-02 03:04:05',
    lst: '[1, 2, 3]',
    st: '{"a": 1, "b": "x"}',
    bl: 'aa00ff',
    iv: '2 days',
    uu: 'aa0e8400-e29b-41d4-a716-446655440000',
  });
  t.ok(
    Object.entries(rows[1]).every(([k, v]) => k === 'id' || v === null),
    'NULLs stay NULL (not empty strings)',
  );
  t.same(
    [rows[2].txt, rows[2].dbl, rows[2].bl, rows[2].lst, rows[2].st],
    ['', 'Infinity', '', '[]', '{"a": null, "b": ""}'],
    'empty string, infinity, empty blob and list',
  );
  const text = (await query(join(dir, 'data/warehouse.duckdb'), 'SELECT txt FROM typed WHERE id = 4'))[0].txt;
  t.equal(rows[3].txt, text, 'quotes, commas, tabs, newlines, backslashes, "\\." and non-ASCII text arrive unchanged');
});

t.test(
  'a failure in the middle of the COPY leaves the live table as it was; a rerun is idempotent',
  { skip },
  async (t) => {
    const good = "CREATE OR REPLACE TABLE typed AS SELECT range AS id, 'row ' || range AS txt FROM range(10000);";
    const dir = project(t, undefined, { sql: { '01_rows': { 'a.sql': good } }, publish: { '01_pg.sql': PG_TARGET() } });
    t.equal((await cli(dir, [], env())).exitCode, 0);
    t.equal((await cli(dir, [], env())).exitCode, 0, 'published twice');
    t.same(
      (await server!.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM ml.typed')).rows,
      [{ n: 10000, d: 10000 }],
      'the same rows, once',
    );
    writeFileSync(
      join(dir, 'sql/01_rows/a.sql'),
      "CREATE OR REPLACE TABLE typed AS SELECT range AS id, CASE WHEN range = 6000 THEN 'nul ' || chr(0) ELSE 'new' END AS txt FROM range(20000);",
    );
    const run = await cli(dir, [], env());
    t.equal(run.exitCode, 1);
    t.match(run.stdout, /error: publish ml\.typed: .*(0x00|null character|invalid byte)/i);
    t.match(run.stdout, /nothing was published to this target; it is as it was/);
    t.same(
      (
        await server!.query(
          "SELECT count(*)::int AS n, count(*) FILTER (WHERE txt = 'new')::int AS fresh FROM ml.typed",
        )
      ).rows,
      [{ n: 10000, fresh: 0 }],
      'the live table is unchanged',
    );
    t.same(
      (await server!.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE '%ducksteps_staging%'")).rows,
      [{ n: 0 }],
      'no staging table left',
    );
  },
);

t.test(
  'a reader querying in a loop while the table is replaced never errors and sees old or new',
  { skip },
  async (t) => {
    const dir = project(t, undefined, {
      sql: {
        '01_rows': { 'a.sql': 'CREATE OR REPLACE TABLE typed AS SELECT range AS id FROM range({{ vars.n | int }});' },
      },
      publish: { '01_pg.sql': PG_TARGET() },
    });
    t.equal((await cli(dir, ['--var', 'n=1000'], env())).exitCode, 0);
    const client = new (await import('pg')).default.Client({ connectionString: server!.url });
    await client.connect();
    const seen = new Set<number>();
    const errors: string[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        try {
          seen.add((await client.query('SELECT count(*)::int AS n FROM ml.typed')).rows[0].n);
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
    })();
    for (const n of [2000, 3000, 4000]) t.equal((await cli(dir, ['--var', `n=${n}`], env())).exitCode, 0);
    reading = false;
    await reader;
    await client.end();
    t.same(errors, [], 'no query failed');
    t.ok(
      [...seen].every((n) => [1000, 2000, 3000, 4000].includes(n)),
      `only whole tables were seen: ${[...seen].join(', ')}`,
    );
  },
);

t.test('append and upsert follow incremental batches', { skip }, async (t) => {
  await server!.query('DROP TABLE IF EXISTS ml.events, ml.totals');
  const load = `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS events (batch_id INTEGER, k VARCHAR, v INTEGER);
INSERT INTO events SELECT {{ batch.id }}, k, v FROM read_csv({{ batch.files.ev }}, header = true, columns = {'k': 'VARCHAR', 'v': 'INTEGER'});`;
  const dir = project(t, undefined, {
    'package.json': JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
    data: { landing: { 'a.csv': 'k,v\nx,1\ny,2\n' } },
    sql: { '01_load': { 'a.sql': load } },
    publish: {
      '01_events.sql':
        '-- publish: postgres ml.events\n-- mode: append\nSELECT batch_id, k, v FROM events WHERE batch_id IN {{ run_batches }}',
      '02_totals.sql':
        '-- publish: postgres ml.totals\n-- mode: upsert\n-- key: k\nSELECT k, sum(v) AS total FROM events GROUP BY k',
    },
  });
  t.equal((await cli(dir, [], env())).exitCode, 0);
  writeFileSync(join(dir, 'data/landing/b.csv'), 'k,v\ny,10\nz,3\n');
  t.equal((await cli(dir, [], env())).exitCode, 0);
  t.equal((await cli(dir, [], env())).exitCode, 0, 'a run with nothing new appends nothing');
  t.same((await server!.query('SELECT batch_id, k, v FROM ml.events ORDER BY batch_id, k')).rows, [
    { batch_id: 1, k: 'x', v: 1 },
    { batch_id: 1, k: 'y', v: 2 },
    { batch_id: 2, k: 'y', v: 10 },
    { batch_id: 2, k: 'z', v: 3 },
  ]);
  t.same((await server!.query('SELECT k, total::int AS total FROM ml.totals ORDER BY k')).rows, [
    { k: 'x', total: 1 },
    { k: 'y', total: 12 },
    { k: 'z', total: 3 },
  ]);
});

t.test(
  'nothing is published when an error assertion fails: files and tables keep the previous data',
  { skip },
  async (t) => {
    const dir = project(t, undefined, {
      sql: { '01_rows': { 'a.sql': 'CREATE OR REPLACE TABLE typed AS SELECT {{ vars.v | int }} AS id;' } },
      tests: { 'positive.sql': 'SELECT * FROM typed WHERE id < 0;' },
      publish: { '01_file.sql': '-- publish: file out/typed.csv\nSELECT * FROM typed', '02_pg.sql': PG_TARGET() },
    });
    t.equal((await cli(dir, ['--var', 'v=5'], env())).exitCode, 0);
    const run = await cli(dir, ['--var', 'v=-1'], env());
    t.equal(run.exitCode, 1);
    t.match(run.stdout, /\n· publish: 2 skipped \(the run failed: consumers keep the previous data\)\n/);
    t.equal(readFileSync(join(dir, 'out/typed.csv'), 'utf8'), 'id\n5\n');
    t.same((await server!.query('SELECT id FROM ml.typed')).rows, [{ id: 5 }]);
    t.same(readdirSync(join(dir, 'out')), ['typed.csv'], 'no temporary file left beside it');
  },
);

t.test('publish failures: one clear message naming the target, exit 1, no password shown', { skip }, async (t) => {
  const base = { sql: { '01_rows': { 'a.sql': 'CREATE OR REPLACE TABLE typed AS SELECT 1 AS id;' } } };
  const refused = project(t, undefined, { ...base, publish: { '01_pg.sql': PG_TARGET() } });
  const down = await cli(refused, [], {
    DUCKSTEPS_PG_URL: `postgres://ducksteps:secret-pw@127.0.0.1:${server!.port + 1}/postgres`,
  });
  t.equal(down.exitCode, 1);
  t.match(
    down.stdout,
    /error: publish ml\.typed: cannot connect to PostgreSQL \(ECONNREFUSED\) at postgres:\/\/ducksteps:\*\*\*@127\.0\.0\.1:\d+\/postgres/,
  );
  const wrong = await cli(refused, [], {
    DUCKSTEPS_PG_URL: `postgres://ducksteps:nope@127.0.0.1:${server!.port}/postgres`,
  });
  t.equal(wrong.exitCode, 1);
  t.match(wrong.stdout, /error: publish ml\.typed: password authentication failed for user "ducksteps"/);
  const noSchema = project(t, undefined, {
    ...base,
    publish: { '01_pg.sql': '-- publish: postgres nowhere.typed\nSELECT * FROM typed' },
  });
  const schema = await cli(noSchema, [], env());
  t.equal(schema.exitCode, 1);
  t.match(
    schema.stdout,
    /error: publish nowhere\.typed: schema nowhere does not exist in the database[\s\S]*hint: create it \(CREATE SCHEMA nowhere;\)/,
  );
  const union = project(t, undefined, {
    sql: { '01_rows': { 'a.sql': 'CREATE OR REPLACE TABLE typed AS SELECT union_value(k := 1) AS u;' } },
    publish: { '01_pg.sql': PG_TARGET() },
  });
  const unmapped = await cli(union, [], env());
  t.equal(unmapped.exitCode, 1);
  t.match(
    unmapped.stdout,
    /error: publish ml\.typed: column u has type UNION\(k INTEGER\), which has no PostgreSQL mapping/,
  );
  const unset = await cli(refused, [], {});
  t.equal(unset.exitCode, 1);
  t.match(unset.stdout, /DUCKSTEPS_PG_URL is not set/);
  for (const out of [down, wrong, schema, unmapped])
    t.notMatch(
      out.stdout + out.stderr + readFileSync(join(refused, 'logs/run_log.csv'), 'utf8'),
      /secret-pw/,
      'the password appears nowhere',
    );
  t.notOk(existsSync(join(refused, 'logs/compiled/publish/secret')), 'sanity');
});

t.test(
  'a password given as ?password=, in a key=value conninfo or with a raw @ never reaches the console or the logs',
  { skip },
  async (t) => {
    const dir = project(t, undefined, {
      sql: { '01_rows': { 'a.sql': 'CREATE OR REPLACE TABLE typed AS SELECT 1 AS id;' } },
      publish: { '01_pg.sql': PG_TARGET() },
    });
    const closed = server!.port + 1;
    const forms = [
      [
        `postgres://ducksteps@127.0.0.1:${closed}/postgres?password=pw-in-query`,
        /at postgres:\/\/ducksteps@127\.0\.0\.1:\d+\/postgres\?password=\*\*\*/,
      ],
      [
        `host=127.0.0.1 port=${closed} user=ducksteps password=pw-in-conninfo dbname=postgres`,
        /DUCKSTEPS_PG_URL is not a postgres:\/\/ URL: host=127\.0\.0\.1 port=\d+ user=ducksteps password=\*\*\* dbname=postgres/,
      ],
      [
        `postgres://ducksteps:pw@with-at@127.0.0.1:${closed}/postgres`,
        /at postgres:\/\/ducksteps:\*\*\*@127\.0\.0\.1:\d+\/postgres/,
      ],
    ] as const;
    for (const [url, shown] of forms) {
      const run = await cli(dir, [], { DUCKSTEPS_PG_URL: url });
      t.equal(run.exitCode, 1);
      t.match(run.stdout, shown);
      t.notMatch(
        run.stdout + run.stderr + readFileSync(join(dir, 'logs/run_log.csv'), 'utf8'),
        /pw-in-query|pw-in-conninfo|with-at/,
        'the password appears nowhere',
      );
    }
  },
);

t.test('a bad publish header is refused before anything runs (exit 2)', async (t) => {
  const dir = project(t, undefined, {
    sql: { '01_a': { 'a.sql': 'CREATE TABLE a AS SELECT 1 AS x;' } },
    publish: { '01.sql': '-- publish: postgres ml.x\n-- mode: upsert\nSELECT 1' },
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 2);
  t.match(run.stderr, /ducksteps: publish\/01\.sql: mode upsert needs the key columns\n\s+add -- key: col1, col2/);
  t.notOk(existsSync(join(dir, 'data/warehouse.duckdb')), 'nothing ran');
});

t.test('a JSON file target is JSON: NaN and Infinity are written as null, strings that spell them stay', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_f': {
        'a.sql':
          "CREATE TABLE f AS SELECT * FROM (VALUES (1, 'nan'::DOUBLE, ['inf'::DOUBLE, 1.5], {'x': '-inf'::FLOAT}, 'NaN'), (2, 2.5, [], {'x': 1}, 'Infinity')) AS v(id, d, l, s, txt);",
      },
    },
    publish: { '01.sql': '-- publish: file out/f.json\nSELECT * FROM f ORDER BY id' },
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stdout);
  const lines = readFileSync(join(dir, 'out/f.json'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  t.same(lines, [
    { id: 1, d: null, l: [null, 1.5], s: { x: null }, txt: 'NaN' },
    { id: 2, d: 2.5, l: [], s: { x: 1 }, txt: 'Infinity' },
  ]);
});

t.test('watch stops on a micro-batch whose publish failed and says why (exit 1)', async (t) => {
  const dir = project(t, undefined, {
    'package.json': JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
    data: { landing: { 'a.csv': 'k\n1\n' } },
    sql: {
      '01_load': {
        'a.sql':
          '-- ducksteps: incremental\nCREATE TABLE IF NOT EXISTS t AS SELECT 1 AS k WHERE false;\nINSERT INTO t SELECT * FROM read_csv({{ batch.files.ev }}, header = true);',
      },
    },
    publish: { '01.sql': '-- publish: file out/t.csv\nSELECT * FROM no_such_table' },
  });
  const run = await cli(dir, ['watch', '--max-wait', '200ms']);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /micro-batch 1: 1 file, 1 row, .* — failed/);
  t.match(run.stdout, /error: publish out\/t\.csv: Catalog Error: Table with name no_such_table does not exist/);
});

t.test(
  'with --jobs N the targets are independent: delivered at once, a failing one does not hold back the others (on a DuckDB file too)',
  async (t) => {
    const dir = project(t, 'ok', {
      publish: {
        '01_bad.sql': '-- publish: file output/bad.csv\nSELECT no_such_column FROM totals',
        '02_good.sql': '-- publish: file output/good.csv\nSELECT * FROM totals',
        '03_also.sql': '-- publish: file output/also.parquet\nSELECT * FROM numbers',
      },
    });
    const one = await cli(dir, ['--verbose']); // --verbose: the publish table, a row per target
    t.equal(one.exitCode, 1);
    t.match(one.stdout, /output\/good\.csv\s+│ skipped/, 'one at a time: the targets after a failure wait');
    const many = await cli(dir, ['--resume', '--jobs', '3', '--verbose']);
    t.equal(many.exitCode, 1, 'the failed target still fails the run');
    t.match(many.stdout, /output\/bad\.csv\s+│ failed/);
    t.match(many.stdout, /output\/good\.csv\s+│ ok/);
    t.match(many.stdout, /output\/also\.parquet\s+│ ok/);
    t.ok(
      existsSync(join(dir, 'output/good.csv')) && existsSync(join(dir, 'output/also.parquet')),
      'the independent targets were delivered',
    );
  },
);
