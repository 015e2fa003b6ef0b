// Slow (2 min on 2 busy cores): six runs of the CLI on Spark.
// The spark engine when its ledger and the cluster disagree about a name, on the shared test cluster: a table
// that stood at a name before ducksteps first wrote it is taken over (an INSERT carries its rows, the name
// becomes ducksteps' view, the table is kept as the version before); a view dropped on the cluster is made
// again by the next switch or the next start; a table someone puts where ducksteps keeps a view is refused at
// the start, clearly, and left alone. The tests run in order on one project (schema own).
import t from 'tap';
import { join } from 'node:path';
import { project } from './helpers.js';
import { sparkClusterFor } from './spark-shared.js';
import { onSpark, sparkCli, versionRows } from './spark-run.js';

t.setTimeout(600_000); // a safety margin: about 2 minutes here

const { url } = await sparkClusterFor(t, { schemas: ['own'] });
const own = project(t, undefined, {
  'package.json': JSON.stringify({ name: 'own', ducksteps: { database: 'data/ledger.duckdb' } }),
  sql: {
    '01_built': {
      '01_built.sql': `CREATE SCHEMA IF NOT EXISTS own;
CREATE OR REPLACE TABLE own.built AS SELECT {{ vars.tag | int }} AS tag, id FROM range(10) AS r(id);`,
    },
    '02_events': {
      '01_events.sql': `CREATE TABLE IF NOT EXISTS own.events (tag INT, id BIGINT);
INSERT INTO own.events SELECT {{ vars.tag | int }}, id FROM range(2) AS r(id);`,
    },
  },
  tests: { 'own.sql': '-- name: built_is_readable\nSELECT * FROM own.built WHERE id IS NULL;\n' },
});
const ownRun = (tag: number, command: string[] = []) => sparkCli(own, url, [...command, '--var', `tag=${tag}`]);
const tagsOf = async (table: string) =>
  (await onSpark(url, `SELECT DISTINCT tag FROM ${table} ORDER BY tag`)).map((r) => r.tag);
const isView = async (name: string) =>
  (await onSpark(url, `SHOW VIEWS IN own LIKE '${name}'`)).some((r) => !r.isTemporary);

t.test(
  'a table that stood at a name before ducksteps is taken over: an INSERT carries its rows into the first version, and the name becomes a view',
  async (t) => {
    await onSpark(url, 'CREATE SCHEMA IF NOT EXISTS own');
    await onSpark(url, 'CREATE TABLE own.events USING parquet AS SELECT 0 AS tag, id FROM range(3) AS r(id)');
    const first = await ownRun(1);
    t.equal(first.exitCode, 0, 'exit 0', { output: first.stdout + first.stderr });
    t.notMatch(first.stdout, /nothing of .* was committed/);
    t.same(await tagsOf('own.events'), [0, 1], 'the 3 rows that were there, then the step’s');
    t.same(await onSpark(url, 'SELECT count(*) AS n FROM own.events'), [{ n: 5 }]);
    t.ok(await isView('events'), 'own.events is now the view ducksteps switches');
    const rows = (await versionRows(join(own, 'data', 'ledger.duckdb'))).filter((v) => v.name === 'own.events');
    t.match(
      rows.find((v) => v.state === 'current'),
      { kind: 'table', repointed: true },
    );
    t.match(
      rows.find((v) => v.state === 'previous'),
      { physical: /^own\.events__ds/, kind: 'adopted' },
      'the table that was there is kept as the version before',
    );
    const second = await ownRun(2);
    t.equal(second.exitCode, 0, 'exit 0', { output: second.stdout + second.stderr });
    t.same(await onSpark(url, 'SELECT count(*) AS n FROM own.events'), [{ n: 7 }], 'and the next run appends');
  },
);

t.test('a view dropped on the cluster: the next step’s switch makes it again, or the next start does', async (t) => {
  await onSpark(url, 'DROP VIEW own.built');
  const switched = await ownRun(3);
  t.equal(switched.exitCode, 0, 'exit 0', { output: switched.stdout + switched.stderr });
  t.notMatch(switched.stdout, /nothing of .* was committed/);
  t.same(await tagsOf('own.built'), [3]);
  await onSpark(url, 'DROP VIEW own.built');
  const started = await ownRun(3, ['test']);
  t.equal(started.exitCode, 0, 'the start puts the view back: the assertion reads it', {
    output: started.stdout + started.stderr,
  });
  t.same(await tagsOf('own.built'), [3]);
});

t.test(
  'a table of its own where ducksteps keeps a view: refused at the start, naming it and what to do (exit 2)',
  async (t) => {
    await onSpark(url, 'DROP VIEW own.built');
    await onSpark(url, 'CREATE TABLE own.built USING parquet AS SELECT 99 AS tag, 0L AS id');
    const refused = await ownRun(4);
    t.equal(refused.exitCode, 2, 'exit 2', { output: refused.stdout + refused.stderr });
    t.match(
      refused.stdout + refused.stderr,
      /own\.built is a table on the Spark cluster, where ducksteps keeps a view of own\.built's committed version \(own\.built__ds[0-9a-z]+\)/,
    );
    t.match(
      refused.stdout + refused.stderr,
      'rename that table (ALTER TABLE own.built RENAME TO own.built_kept) or drop it',
    );
    t.notMatch(refused.stdout + refused.stderr, 'DUCKSTEPS_SPARK_URL', 'not a hint about the connection');
    t.same(await tagsOf('own.built'), [99], 'their table is left as it is');
    await onSpark(url, 'ALTER TABLE own.built RENAME TO own.built_kept');
    const after = await ownRun(4);
    t.equal(after.exitCode, 0, 'once it is out of the way the run goes on', { output: after.stdout + after.stderr });
    t.same(await tagsOf('own.built'), [4]);
  },
);
