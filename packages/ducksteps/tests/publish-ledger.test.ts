// The publish ledger against a real PostgreSQL: an append target receives every complete batch exactly once,
// however earlier publishes failed or were killed; --resume publishes what a run could not; PostgreSQL's
// names (case folding, quotes, 63 bytes); column drift refused before rows are appended or upserted.
import t from 'tap';
import { execa } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, REPO, CLI } from './helpers.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

let server: PostgresServer;
t.before(async () => {
  server = await startPostgres();
  await server.query('CREATE SCHEMA ml');
});
t.teardown(async () => server?.stop());

const env = () => ({ DUCKSTEPS_PG_URL: server.passwordUrl });
const down = () => ({ DUCKSTEPS_PG_URL: `postgres://ducksteps:secret-pw@127.0.0.1:${server.port + 1}/postgres` });
const rows = async (sql: string) => (await server.query(sql)).rows;

const LOAD = `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS events (batch_id INTEGER, k VARCHAR, v INTEGER);
INSERT INTO events SELECT {{ batch.id }}, k, v FROM read_csv({{ batch.files.ev }}, header = true, columns = {'k': 'VARCHAR', 'v': 'INTEGER'});`;

/** An incremental project with one append target (`variable`: the template variable its query uses). */
const batches = (
  t: Parameters<typeof project>[0],
  table: string,
  variable = 'pending_batches',
  extra = {},
  settings = {},
) =>
  project(t, undefined, {
    'package.json': JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' }, ...settings } }),
    data: { landing: { 'a.csv': 'k,v\nx,1\n' } },
    sql: { '01_load': { 'a.sql': LOAD } },
    publish: {
      '01_events.sql': `-- publish: postgres ml.${table}\n-- mode: append\nSELECT batch_id, k, v FROM events WHERE batch_id IN {{ ${variable} }}`,
    },
    ...extra,
  });
const land = (dir: string, name: string, text: string) => writeFileSync(join(dir, 'data/landing', name), text);

t.test('append: a batch whose run did not publish (server down) is delivered by the next run, once', async (t) => {
  const dir = batches(t, 'events_a');
  const failed = await cli(dir, [], down());
  t.equal(failed.exitCode, 1, 'the publish failed');
  land(dir, 'b.csv', 'k,v\ny,2\n');
  const next = await cli(dir, [], down());
  t.equal(next.exitCode, 1, 'the next one too');
  const ok = await cli(dir, ['--verbose'], env()); // --verbose: the publish table, a row per target
  t.equal(ok.exitCode, 0, ok.stdout);
  t.match(
    ok.stdout,
    /│ ml\.events_a\s+│ ok \(batches 1, 2\)\s+│ 2\s+│/,
    'nothing new, yet both pending batches are delivered',
  );
  const again = await cli(dir, [], env());
  t.match(again.stdout, /\n✔ publish: 1 ok \(ml\.events_a: no new batch\)\n/);
  t.same(await rows('SELECT batch_id, k FROM ml.events_a ORDER BY batch_id'), [
    { batch_id: 1, k: 'x' },
    { batch_id: 2, k: 'y' },
  ]);
  t.same(
    await rows("SELECT batch_id::int AS b, seeded FROM ml.ducksteps_published WHERE target = 'events_a' ORDER BY 1"),
    [
      { b: 0, seeded: true },
      { b: 1, seeded: false },
      { b: 2, seeded: false },
    ],
    'the ledger lists what the table received',
  );
});

t.test('run_batches (its older name) offers the same pending batches', async (t) => {
  const dir = batches(t, 'events_b', 'run_batches');
  t.equal((await cli(dir, [], down())).exitCode, 1);
  t.equal((await cli(dir, [], env())).exitCode, 0);
  t.same(await rows('SELECT batch_id, k FROM ml.events_b'), [{ batch_id: 1, k: 'x' }]);
});

t.test(
  'an assertion after the steps that fails withholds the batch; it is delivered once the data is fixed',
  async (t) => {
    const tests = { 'small.sql': '-- name: v_small\nSELECT * FROM events WHERE v > {{ vars.max | default(100) }};' };
    const dir = batches(t, 'events_c', 'pending_batches', { tests }, { gates: false }); // the assertion runs after the steps
    t.equal((await cli(dir, [], env())).exitCode, 0);
    land(dir, 'b.csv', 'k,v\nbig,500\n');
    const withheld = await cli(dir, [], env());
    t.equal(withheld.exitCode, 1);
    t.match(withheld.stdout, /skipped \(the run failed: consumers keep the previous data\)/);
    const resumed = await cli(dir, ['--resume', '--var', 'max=1000'], env());
    t.equal(resumed.exitCode, 0, resumed.stdout);
    t.same(await rows('SELECT batch_id, k FROM ml.events_c ORDER BY batch_id'), [
      { batch_id: 1, k: 'x' },
      { batch_id: 2, k: 'big' },
    ]);
  },
);

t.test('--resume after a failed publish publishes again (not "succeeded"), then has nothing left to do', async (t) => {
  const dir = batches(t, 'events_d');
  t.equal((await cli(dir, [], down())).exitCode, 1);
  const resumed = await cli(dir, ['--resume'], env());
  t.equal(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  t.notMatch(resumed.stderr, /nothing to resume/);
  t.match(resumed.stdout, /(^|\n)✔ publish: 1 ok \(ml\.events_d: batch 1\)\n/);
  const nothing = await cli(dir, ['--resume'], env());
  t.equal(nothing.exitCode, 2);
  t.match(nothing.stderr, /nothing to resume: the last run \S+ succeeded/);
  t.same(await rows('SELECT count(*)::int AS n FROM ml.events_d'), [{ n: 1 }]);
});

t.test(
  'kill -9 of the run while its delivery waits: PostgreSQL rolls it back; the next run delivers the batch once',
  async (t) => {
    const dir = batches(t, 'events_e');
    const holder = new (await import('pg')).default.Client({ connectionString: server.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock(hashtext($1))', ['ducksteps publish ledger ml']); // the ledger's lock: the delivery waits
    const run = execa(process.execPath, [CLI], { cwd: dir, reject: false, env: env() });
    while (
      Number(
        (
          await rows(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'ducksteps' AND wait_event_type = 'Lock'",
          )
        )[0].n,
      ) === 0
    )
      await new Promise((r) => setTimeout(r, 50));
    run.kill('SIGKILL');
    await run;
    await holder.query('SELECT pg_advisory_unlock_all()');
    await holder.end();
    while (
      Number((await rows("SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'ducksteps'"))[0].n) > 0
    )
      await new Promise((r) => setTimeout(r, 50));
    t.same(
      await rows("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'events_e'"),
      [{ n: 0 }],
      'nothing of the killed delivery is left',
    );
    t.equal((await cli(dir, [], env())).exitCode, 0);
    t.equal((await cli(dir, [], env())).exitCode, 0);
    t.same(await rows('SELECT batch_id, k FROM ml.events_e'), [{ batch_id: 1, k: 'x' }], 'delivered exactly once');
  },
);

t.test('a table published before the ledger existed is taken to hold every earlier batch', async (t) => {
  const dir = batches(t, 'events_f');
  t.equal((await cli(dir)).exitCode, 1, 'no URL: batch 1 is committed, not published');
  await server.query('CREATE TABLE ml.events_f (batch_id integer, k text, v integer)');
  await server.query("INSERT INTO ml.events_f VALUES (1, 'x', 1)");
  land(dir, 'b.csv', 'k,v\ny,2\n');
  t.equal((await cli(dir, [], env())).exitCode, 0);
  t.same(
    await rows('SELECT batch_id, k FROM ml.events_f ORDER BY 1'),
    [
      { batch_id: 1, k: 'x' },
      { batch_id: 2, k: 'y' },
    ],
    'batch 1 not sent twice',
  );
  t.same(
    await rows("SELECT batch_id::int AS b, seeded FROM ml.ducksteps_published WHERE target = 'events_f' ORDER BY 1"),
    [
      { b: 0, seeded: true },
      { b: 1, seeded: true },
      { b: 2, seeded: false },
    ],
  );
});

/** A one-step project publishing `select` to `destination` with `mode`. */
const simple = (
  t: Parameters<typeof project>[0],
  destination: string,
  mode: string,
  select = 'SELECT * FROM t',
  step = 'CREATE OR REPLACE TABLE t AS SELECT range::INTEGER AS id, 12.75::DECIMAL(4,2) AS price FROM range(3);',
) =>
  project(t, undefined, {
    sql: { '01_t': { 'a.sql': step } },
    publish: {
      '01.sql': `-- publish: postgres ${destination}\n-- mode: ${mode}\n${mode === 'upsert' ? '-- key: id\n' : ''}${select}`,
    },
  });

t.test(
  'PostgreSQL names: unquoted names fold to lower case, quoted ones keep theirs; a missing schema says how it folded',
  async (t) => {
    await server.query('CREATE SCHEMA "My Schema"');
    const upper = simple(t, 'ML.Typed2', 'replace');
    t.equal((await cli(upper, [], env())).exitCode, 0, 'ML.Typed2 is ml.typed2');
    t.same(await rows('SELECT count(*)::int AS n FROM ml.typed2'), [{ n: 3 }]);
    const quoted = simple(t, '"My Schema"."Daily Revenue"', 'replace');
    const run = await cli(quoted, [], env());
    t.equal(run.exitCode, 0, run.stdout + run.stderr);
    t.same(await rows('SELECT count(*)::int AS n FROM "My Schema"."Daily Revenue"'), [{ n: 3 }]);
    const missing = await cli(simple(t, 'Nowhere.t', 'replace'), [], env());
    t.equal(missing.exitCode, 1);
    t.match(
      missing.stdout,
      /error: publish Nowhere\.t: schema nowhere does not exist in the database \(PostgreSQL folds unquoted names to lower case: Nowhere is nowhere; write "Nowhere" in double quotes for a name with capitals\)/,
    );
    const garbled = await cli(simple(t, '"My Schema.t', 'replace'), [], env());
    t.equal(garbled.exitCode, 2);
    t.match(
      garbled.stderr,
      /ducksteps: publish\/01\.sql: ""My Schema\.t" is not schema\.table\n\s+e\.g\. -- publish: postgres ml\.daily_revenue; put a name with capitals, spaces or dots in double quotes/,
    );
  },
);

t.test(
  'a name over 63 bytes is refused before anything runs; a long name that fits keeps its table in every mode',
  async (t) => {
    const long = `t${'x'.repeat(62)}`; // 63 bytes: the live name fits, "<name>__ducksteps_staging" would not
    const tooLong = await cli(simple(t, `ml.${long}y`, 'append'), [], env());
    t.equal(tooLong.exitCode, 2);
    t.match(
      tooLong.stderr,
      /ducksteps: publish\/01\.sql: the name tx{62}y is 64 bytes long; PostgreSQL keeps at most 63 and would cut it/,
    );
    for (const mode of ['append', 'upsert', 'replace']) {
      await server.query(`DROP TABLE IF EXISTS ml.${long}`);
      const dir = simple(t, `ml.${long}`, mode);
      t.equal((await cli(dir, [], env())).exitCode, 0, `${mode}: first publish`);
      const again = await cli(dir, [], env());
      t.equal(again.exitCode, 0, `${mode}: second publish ${again.stdout}`);
      t.same(
        await rows(`SELECT count(*)::int AS n FROM ml.${long}`),
        [{ n: mode === 'append' ? 6 : 3 }],
        `${mode}: the table and its rows are there`,
      );
    }
    t.same(
      await rows("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE '%ducksteps_staging%'"),
      [{ n: 0 }],
      'no staging table left',
    );
  },
);

t.test(
  'append and upsert refuse a query whose columns drifted from the table (dropped column, changed type)',
  async (t) => {
    for (const mode of ['append', 'upsert']) {
      const table = `drift_${mode}`;
      const dir = simple(t, `ml.${table}`, mode);
      t.equal((await cli(dir, [], env())).exitCode, 0);
      writeFileSync(
        join(dir, 'publish/01.sql'),
        `-- publish: postgres ml.${table}\n-- mode: ${mode}\n${mode === 'upsert' ? '-- key: id\n' : ''}SELECT id FROM t`,
      );
      const dropped = await cli(dir, [], env());
      t.equal(dropped.exitCode, 1, `${mode}: a dropped column`);
      t.match(
        dropped.stdout,
        new RegExp(
          `error: publish ml\\.${table}: the contract of ml\\.${table} is broken: it has column price, which the query does not produce \\(its new rows would get NULL there\\)`,
        ),
      );
      await server.query(`ALTER TABLE ml.${table} ALTER COLUMN price TYPE integer`);
      writeFileSync(
        join(dir, 'publish/01.sql'),
        `-- publish: postgres ml.${table}\n-- mode: ${mode}\n${mode === 'upsert' ? '-- key: id\n' : ''}SELECT id + 10 AS id, price FROM t`,
      );
      const typed = await cli(dir, [], env());
      t.equal(typed.exitCode, 1, `${mode}: a changed type`);
      t.match(
        typed.stdout,
        /the contract of ml\.drift_\w+ is broken: column price is numeric\(4,2\) in the query but integer in ml\.drift_\w+: PostgreSQL would convert every value/,
      );
      t.same(
        await rows(`SELECT count(*)::int AS n, count(*) FILTER (WHERE price IS NULL)::int AS nulls FROM ml.${table}`),
        [{ n: 3, nulls: 0 }],
        `${mode}: the table is as it was`,
      );
    }
    const widened = simple(t, 'ml.drift_ok', 'append');
    t.equal((await cli(widened, [], env())).exitCode, 0);
    await server.query(
      'ALTER TABLE ml.drift_ok ALTER COLUMN id TYPE bigint, ADD COLUMN loaded_at timestamptz DEFAULT now()',
    );
    t.equal(
      (await cli(widened, [], env())).exitCode,
      0,
      'integer into bigint, and a column with a default the query leaves out, are fine',
    );
    t.same(await rows('SELECT count(*)::int AS n FROM ml.drift_ok'), [{ n: 6 }]);
  },
);

t.test(
  "the publish ledger is kept per pipeline; one made by the previous version keeps working: the target's old rows become the pipeline's, no batch is delivered twice",
  async (t) => {
    await server.query('CREATE SCHEMA legacy');
    const dir = project(t, undefined, {
      'package.json': JSON.stringify({ name: 'shop', ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
      data: { landing: { 'a.csv': 'k,v\nx,1\n' } },
      sql: { '01_load': { 'a.sql': LOAD } },
      publish: {
        '01_events.sql': `-- publish: postgres legacy.events\n-- mode: append\nSELECT batch_id, k, v FROM events WHERE batch_id IN {{ pending_batches }}`,
      },
    });
    t.equal((await cli(dir, [], env())).exitCode, 0);
    await server.query(`ALTER TABLE legacy.ducksteps_published DROP CONSTRAINT ducksteps_published_pkey;
      ALTER TABLE legacy.ducksteps_published DROP COLUMN pipeline;
      ALTER TABLE legacy.ducksteps_published ADD PRIMARY KEY (target, batch_id, batch_run_id)`); // as the previous version made it
    land(dir, 'b.csv', 'k,v\ny,2\n');
    const next = await cli(dir, [], env());
    t.equal(next.exitCode, 0, next.stdout + next.stderr);
    t.match(next.stdout, /✔ publish: 1 ok \(legacy\.events: batch 2\)/, 'only the new batch');
    t.same(await rows('SELECT batch_id, k FROM legacy.events ORDER BY batch_id'), [
      { batch_id: 1, k: 'x' },
      { batch_id: 2, k: 'y' },
    ]);
    t.same(
      await rows('SELECT pipeline, count(*)::int AS n FROM legacy.ducksteps_published GROUP BY 1'),
      [{ pipeline: 'shop', n: 3 }],
      'the start row and both batches, all the pipeline’s',
    );
  },
);
