// The edges of schema changes on a small incremental project (the example's are in schema-changes.test.ts):
// what append_new_columns does not do, a column that cannot go last, declared renames, DEFAULT, a step that
// is not incremental, and the project-wide policy (more in schema-edges.test.ts).
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, query } from './helpers.js';
import { db, drop, eventsProject, LOAD, rows, TOTAL } from './landing.js';

const LOAD_SQL = 'sql/01_load/01.sql';
const write = (dir: string, file: string, text: string) => writeFileSync(join(dir, file), text);
const policy = (value: string, sql: string) =>
  sql.replace('-- ducksteps: incremental\n', `-- ducksteps: incremental\n-- ducksteps: on_schema_change = ${value}\n`);
const columns = async (dir: string, table: string) =>
  (
    await query(
      db(dir),
      `SELECT column_name AS c, data_type AS t FROM duckdb_columns() WHERE table_name = '${table}' ORDER BY column_index`,
    )
  ).map((r) => `${r.c} ${r.t}`);

/** The project after its first batch (a.csv: id 1, v 10). */
async function loaded(t: Test) {
  const dir = eventsProject(t, { 'a.csv': rows(1) });
  t.equal((await cli(dir)).exitCode, 0, 'the first batch');
  drop(dir, 'b.csv', rows(2));
  return dir;
}

t.test('append_new_columns does not drop a column: it says so and changes nothing', async (t) => {
  const dir = await loaded(t);
  write(
    dir,
    LOAD_SQL,
    policy('append_new_columns', LOAD)
      .replace(', v INTEGER)', ')')
      .replace('parse_filename(filename), id, v FROM', 'parse_filename(filename), id FROM'),
  );
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(
    run.stdout,
    'error: events differs from its CREATE TABLE: removed v INTEGER (on_schema_change = append_new_columns only adds columns: nothing was changed)\n  at sql/01_load/01.sql:3',
  );
  t.match(
    run.stdout,
    'hint: declare the column as the table has it, or put "-- ducksteps: on_schema_change = sync_all_columns"',
  );
  t.same(await columns(dir, 'events'), ['batch_id INTEGER', 'file VARCHAR', 'id INTEGER', 'v INTEGER']);
});

t.test('a new column declared before existing ones is refused: ALTER TABLE only appends', async (t) => {
  const dir = await loaded(t);
  write(
    dir,
    LOAD_SQL,
    policy('append_new_columns', LOAD)
      .replace('id INTEGER, v INTEGER)', 'id INTEGER, w INTEGER, v INTEGER)')
      .replace('parse_filename(filename), id, v FROM', 'parse_filename(filename), id, 0, v FROM'),
  );
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(
    run.stdout,
    'events differs from its CREATE TABLE: added w INTEGER: ALTER TABLE adds a column only at the end',
  );
  t.match(
    run.stdout,
    'hint: declare new columns after the existing ones (batch_id, file, id, v, w), or rebuild the table in the new order: ./run.sh --full-refresh --select 01_load+',
  );
});

t.test('-- renamed: old -> new renames the column in place, its values kept, under any policy', async (t) => {
  const dir = await loaded(t);
  write(
    dir,
    LOAD_SQL,
    LOAD.replace('CREATE TABLE', '-- renamed: v -> amount\nCREATE TABLE').replace(', v INTEGER)', ', amount INTEGER)'),
  );
  write(dir, 'sql/02_total/01.sql', TOTAL.replace('sum(v)', 'sum(amount)'));
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.exitCode === 0 ? 'exit 0' : run.stdout);
  t.match(run.stdout, '· events: renamed v → amount (schema version 2)');
  t.same(await query(db(dir), 'SELECT id, amount FROM events ORDER BY id'), [
    { id: 1, amount: 10 },
    { id: 2, amount: 20 },
  ]);
});

t.test('a new column with a DEFAULT gives the old rows that value', async (t) => {
  const dir = await loaded(t);
  write(
    dir,
    LOAD_SQL,
    policy('append_new_columns', LOAD)
      .replace(', v INTEGER)', ", v INTEGER, origin VARCHAR DEFAULT 'legacy')")
      .replace('id, v FROM', "id, v, 'landing' FROM"),
  );
  t.equal((await cli(dir)).exitCode, 0);
  t.same(await query(db(dir), 'SELECT id, origin FROM events ORDER BY id'), [
    { id: 1, origin: 'legacy' },
    { id: 2, origin: 'landing' },
  ]);
});

t.test('a step that is not incremental: fail says how to rebuild it; the package.json default migrates', async (t) => {
  const step = (sql: string) => ({ sql: { '01_log': { 'a.sql': sql } } });
  const dir = project(t, undefined, step('CREATE TABLE IF NOT EXISTS runs (n INTEGER);\nINSERT INTO runs VALUES (1);'));
  t.equal((await cli(dir)).exitCode, 0);
  write(
    dir,
    'sql/01_log/a.sql',
    "CREATE TABLE IF NOT EXISTS runs (n INTEGER, note VARCHAR);\nINSERT INTO runs VALUES (2, 'x');",
  );
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(
    run.stdout,
    'error: runs differs from its CREATE TABLE: added note VARCHAR (on_schema_change = fail: nothing was changed)',
  );
  t.match(run.stdout, 'or, if the step rebuilds the table on every run, write CREATE OR REPLACE TABLE');
  write(dir, 'package.json', JSON.stringify({ ducksteps: { onSchemaChange: 'append_new_columns' } }));
  t.equal((await cli(dir)).exitCode, 0, 'the project default migrates it');
  t.same(await query(db(dir), 'SELECT n, note FROM runs ORDER BY n'), [
    { n: 1, note: null },
    { n: 2, note: 'x' },
  ]);
});
