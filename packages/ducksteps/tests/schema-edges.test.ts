// More edges of schema changes on a small incremental project (schema-policies.test.ts has the first): a unit
// test that starts from the old schema, the same migrations on a DuckLake, and a refresh of a later step refused
// while a step before it lacks a batch.
import t from 'tap';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { drop, eventsProject, LOAD, rows, TOTAL } from './landing.js';
import { LAKE_ENV } from './lake-server.js';

const LOAD_SQL = 'sql/01_load/01.sql';
const write = (dir: string, file: string, text: string) => writeFileSync(join(dir, file), text);
const policy = (value: string, sql: string) =>
  sql.replace('-- ducksteps: incremental\n', `-- ducksteps: incremental\n-- ducksteps: on_schema_change = ${value}\n`);

t.test('a unit test gives the old schema (ddl: false) and expects the migrated table', async (t) => {
  const dir = eventsProject(t);
  const total = (p: string) =>
    policy(p, TOTAL)
      .replace('n BIGINT, s HUGEINT)', 'n BIGINT, s HUGEINT, mean DOUBLE)')
      .replace('sum(v) FROM', 'sum(v), avg(v) FROM');
  mkdirSync(join(dir, 'tests/unit'), { recursive: true });
  write(
    dir,
    'tests/unit/02_total.yaml',
    `adds_mean_to_the_old_table:
  batch: { id: 2 }
  given:
    events: |
      batch_id, file, id, v
      2,        b.csv, 3, 30
      2,        b.csv, 4, 50
    totals:
      ddl: false            # as batch 1 left it, before mean was added
      types: { batch_id: INTEGER, n: BIGINT, s: HUGEINT }
      rows: |
        batch_id, n, s
        1,        2, 30
  expect:
    totals: |
      batch_id, n, s,  mean
      1,        2, 30, NULL
      2,        2, 80, 40.0
`,
  );
  write(dir, 'sql/02_total/01.sql', total('append_new_columns'));
  const pass = await cli(dir, ['test', '--unit']);
  t.equal(pass.exitCode, 0, pass.exitCode === 0 ? 'exit 0' : pass.stdout);
  write(dir, 'sql/02_total/01.sql', total('fail'));
  const fail = await cli(dir, ['test', '--unit']);
  t.equal(fail.exitCode, 1);
  t.match(
    fail.stdout,
    'totals differs from its CREATE TABLE: added mean DOUBLE (on_schema_change = fail: nothing was changed)',
  );
});

t.test(
  "on a DuckLake: the same migrations in the step's snapshot; a retype DuckLake refuses fails the step",
  async (t) => {
    const dir = eventsProject(t, { 'a.csv': rows(1) });
    const lake = ['--db', 'ducklake:data/catalog.ducklake'];
    t.equal((await cli(dir, lake, LAKE_ENV)).exitCode, 0, 'the first batch');
    drop(dir, 'b.csv', rows(2));
    write(
      dir,
      LOAD_SQL,
      policy('sync_all_columns', LOAD)
        .replace(', v INTEGER)', ", v BIGINT, origin VARCHAR DEFAULT 'legacy')")
        .replace('id, v FROM', "id, v, 'landing' FROM"),
    );
    const widened = await cli(dir, lake, LAKE_ENV);
    t.equal(widened.exitCode, 0, widened.exitCode === 0 ? 'exit 0' : widened.stdout);
    t.match(widened.stdout, '· events: added origin VARCHAR; retyped v INTEGER → BIGINT (schema version 2)');
    drop(dir, 'c.csv', rows(3));
    write(dir, LOAD_SQL, readFileSync(join(dir, LOAD_SQL), 'utf8').replace('v BIGINT', 'v INTEGER'));
    const narrowed = await cli(dir, lake, LAKE_ENV);
    t.equal(narrowed.exitCode, 1);
    t.match(
      narrowed.stdout,
      'error: cannot change events (retyped v BIGINT → INTEGER): Catalog Error: Cannot change type of column v from BIGINT to INTEGER - only widening type promotions are allowed',
    );
  },
);

t.test('a refresh of a later step is refused while a step before it lacks a batch', async (t) => {
  const dir = eventsProject(t, { 'a.csv': rows(1) });
  mkdirSync(join(dir, 'sql/03_more'));
  write(
    dir,
    'sql/03_more/01.sql',
    `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS more (batch_id INTEGER, n BIGINT);
{% if batch.full_refresh %}DELETE FROM more;{% endif %}
INSERT INTO more SELECT batch_id, n FROM totals WHERE batch_id = {{ batch.id }};`,
  );
  t.equal((await cli(dir)).exitCode, 0, 'the first batch');
  drop(dir, 'b.csv', rows(2));
  write(dir, 'sql/02_total/01.sql', `${TOTAL}\nSELECT * FROM no_such_table;`);
  t.equal((await cli(dir)).exitCode, 1, '02_total fails on batch 2');
  const refresh = await cli(dir, ['--full-refresh', '--only', 'more']);
  t.equal(refresh.exitCode, 1);
  t.match(
    refresh.stdout,
    'error: --full-refresh rebuilds 03_more from what 02_total wrote, and 02_total has not committed batch 2 yet',
  );
  t.match(refresh.stdout, 'hint: finish the batches first (./run.sh --resume, or ./run.sh --to 02_total)');
});
