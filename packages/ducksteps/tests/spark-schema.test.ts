// Schema changes on Spark (docs/schema-changes.md), on a real local cluster: a table that differs from its
// CREATE TABLE is refused under fail, a new column added under append_new_columns, a reorder and a retype made
// by sync_all_columns as a new version of the table, and a value that would not convert refused by name.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { project } from './helpers.js';
import { sparkClusterFor } from './spark-shared.js';
import { onSpark, sparkCli } from './spark-run.js';

t.setTimeout(480_000); // a cluster's start and a few runs, on a loaded machine

const { url } = await sparkClusterFor(t, { schemas: ['logs'] });
const dir = project(t, undefined, {
  'package.json': JSON.stringify({ name: 'log', ducksteps: { database: 'data/ledger.duckdb' } }),
  sql: { '01_log': { '01_log.sql': '' } },
});
const step = (sql: string) =>
  writeFileSync(join(dir, 'sql/01_log/01_log.sql'), `CREATE SCHEMA IF NOT EXISTS logs;\n${sql}`);
const run = () => sparkCli(dir, url);
const columns = async () =>
  (await onSpark(url, 'DESCRIBE TABLE logs.entries')).map((r) => `${r.col_name} ${r.data_type}`);
const rows = async () =>
  (await onSpark(url, 'SELECT * FROM logs.entries ORDER BY n')).map((r) => ({ ...r, n: Number(r.n) }));

t.test('fail, then append_new_columns: the column is added in the step, old rows NULL', async (t) => {
  step('CREATE TABLE IF NOT EXISTS logs.entries (n INT);\nINSERT INTO logs.entries VALUES (1);');
  t.equal((await run()).exitCode, 0, 'the first run');
  step("CREATE TABLE IF NOT EXISTS logs.entries (n INT, note STRING);\nINSERT INTO logs.entries VALUES (2, 'two');");
  const refused = await run();
  t.equal(refused.exitCode, 1);
  t.match(
    refused.stdout,
    'error: logs.entries differs from its CREATE TABLE: added note string (on_schema_change = fail: nothing was changed)\n  at sql/01_log/01_log.sql:2',
  );
  t.same(await columns(), ['n int'], 'the table as it was');
  step(
    "-- ducksteps: on_schema_change = append_new_columns\nCREATE TABLE IF NOT EXISTS logs.entries (n INT, note STRING);\nINSERT INTO logs.entries VALUES (2, 'two');",
  );
  const added = await run();
  t.equal(added.exitCode, 0, added.exitCode === 0 ? 'exit 0' : added.stdout);
  t.match(added.stdout, '· logs.entries: added note string (schema version 2)');
  t.same(await rows(), [
    { n: 1, note: null },
    { n: 2, note: 'two' },
  ]);
});

t.test('sync_all_columns reorders and retypes in a new version; a value that does not convert is named', async (t) => {
  step(
    "-- ducksteps: on_schema_change = sync_all_columns\nCREATE TABLE IF NOT EXISTS logs.entries (note STRING, n BIGINT);\nINSERT INTO logs.entries VALUES ('three', 3);",
  );
  const synced = await run();
  t.equal(synced.exitCode, 0, synced.exitCode === 0 ? 'exit 0' : synced.stdout);
  t.same(await columns(), ['note string', 'n bigint']);
  t.same(await rows(), [
    { note: null, n: 1 },
    { note: 'two', n: 2 },
    { note: 'three', n: 3 },
  ]);
  step(
    '-- ducksteps: on_schema_change = sync_all_columns\nCREATE TABLE IF NOT EXISTS logs.entries (note INT, n BIGINT);\nINSERT INTO logs.entries VALUES (4, 4);',
  );
  const cast = await run();
  t.equal(cast.exitCode, 1);
  t.match(
    cast.stdout,
    /cannot retype logs\.entries\.note from string to int: the value '(two|three)' does not convert/,
  );
  t.same(await columns(), ['note string', 'n bigint'], 'the table as it was');
});
