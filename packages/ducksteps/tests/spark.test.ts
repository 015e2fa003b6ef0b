// Slow (7 min on 2 busy cores): seven runs of the CLI on Spark, one watched by a polling reader.
// The spark engine's promises on a small project, on a real local cluster (Master, two Workers, the Connect
// server): a step's tables change only at its commit and each read sees one whole version; a failed step or a
// failing gate leaves no version and the views as they were; gates read the step's new versions; the start of a
// run finishes a switch a kill interrupted and drops versions no ledger row names; NAME.spark.sql wins on Spark,
// templates see {{ engine }}; a Spark error points at the source file:line; a write outside the step's
// transaction commits on its own. The tests run in order on one project.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../lib/engines/duckdb/database.js';
import { recordVersions } from '../lib/engines/spark/catalog.js';
import { SparkConnect } from '../lib/engines/spark/connect/index.js';
import { project, readCsv } from './helpers.js';
import { sparkClusterFor } from './spark-shared.js';
import { onSpark, sparkCli, tablesOf, versionRows } from './spark-run.js';

t.setTimeout(480_000); // a safety margin over tap's 300 s on a loaded machine; the file takes about 3 minutes here

const TABLES = `CREATE SCHEMA IF NOT EXISTS pair;
-- both tables of the step carry the run's tag
CREATE OR REPLACE TABLE pair.a AS SELECT {{ vars.tag | int }} AS tag, id FROM range(1000) AS r(id);
CREATE OR REPLACE TABLE pair.b AS SELECT {{ vars.tag | int }} AS tag, id FROM range(2000) AS r(id);
{% if vars.fail | default('') %}
SELECT id,
       no_such_column
FROM pair.a;
{% endif %}
`;
// After the SQL, before the gates and COMMIT: say so in a file, then give a reader time to look.
const SCRIPT = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export async function after(ctx: { projectRoot: string; vars: Record<string, string> }) {
  writeFileSync(join(ctx.projectRoot, 'data', 'written-' + ctx.vars.tag), '');
  await new Promise((resolve) => setTimeout(resolve, Number(ctx.vars.pause ?? 0)));
}
`;
const GATES = `-- name: a_is_this_runs
SELECT tag, count(*) AS n FROM pair.a WHERE tag <> {{ vars.expect | default(vars.tag) | int }} GROUP BY tag;
-- name: b_is_this_runs
SELECT tag, count(*) AS n FROM pair.b WHERE tag <> {{ vars.expect | default(vars.tag) | int }} GROUP BY tag;
`;

const { url } = await sparkClusterFor(t, { schemas: ['pair'] });
const dir = project(t, undefined, {
  'package.json': JSON.stringify({ name: 'pair', ducksteps: { database: 'data/ledger.duckdb' } }),
  sql: {
    '01_pair': { '01_tables.sql': TABLES },
    '02_variant': {
      '01_which.sql':
        "CREATE OR REPLACE TABLE pair.which AS SELECT 'the DuckDB file' AS file, '{{ engine }}' AS engine;",
      '01_which.spark.sql':
        "CREATE OR REPLACE TABLE pair.which AS SELECT 'the Spark file' AS file, '{{ engine }}' AS engine;\n{% if vars.drop | default('') %}DROP TABLE pair.which;\nINSERT INTO pair.which VALUES ('x', 'y');{% endif %}\n",
    },
    '03_log': {
      '01_log.sql':
        '-- ducksteps: no-transaction\nCREATE TABLE IF NOT EXISTS pair.log (tag INT);\nINSERT INTO pair.log VALUES ({{ vars.tag | int }});\n',
    },
  },
  steps: { '01_pair.ts': SCRIPT },
  tests: { 'pair.sql': GATES },
});
const ledger = join(dir, 'data', 'ledger.duckdb');
const run = async (vars: Record<string, string | number>, command: string[] = []) => {
  const started = Date.now();
  const result = await sparkCli(dir, url, [
    ...command,
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}=${v}`]),
  ]);
  t.comment(
    `${command[0] ?? 'run'} ${JSON.stringify(vars)}: exit ${result.exitCode} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return result;
};
const tags = async () =>
  Object.fromEntries(
    await Promise.all(
      ['a', 'b'].map(async (x) => [x, (await onSpark(url, `SELECT DISTINCT tag FROM pair.${x}`)).map((r) => r.tag)]),
    ),
  );

t.test('a first run creates each table as a view on its first version; the ledger records both versions', async (t) => {
  const first = await run({ tag: 1 });
  t.equal(first.exitCode, 0, 'exit 0', { output: first.stdout + first.stderr });
  t.same(await tags(), { a: [1], b: [1] });
  const versions = await versionRows(ledger);
  t.match(
    versions.filter((v) => v.name === 'pair.a'),
    [{ physical: /^pair\.a__ds[0-9a-z]+$/, kind: 'table', state: 'current', repointed: true }],
  );
  t.match(
    await onSpark(url, 'SHOW CREATE TABLE pair.a'),
    [{ createtab_stmt: /CREATE VIEW .*pair.*\.a.*AS SELECT \* FROM pair\.a__ds/s }],
    'readers read a view',
  );
});

t.test(
  'a step writing two tables: until its commit a reader sees the old version of both, each read one whole version, never an error',
  async (t) => {
    const spark = await SparkConnect.connect(url, { userAgent: 'reader' });
    t.teardown(() => spark.close());
    const reads: { table: string; n?: unknown; lo?: unknown; hi?: unknown; error?: string }[] = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        for (const [table] of [['a'], ['b']]) {
          const row = await spark.sql(`SELECT count(*) AS n, min(tag) AS lo, max(tag) AS hi FROM pair.${table}`).then(
            (r) => r.rows[0],
            (e: Error) => ({ error: e.message }),
          );
          reads.push({ table, ...row });
        }
      }
    })();
    const second = run({ tag: 2, pause: 4000 });
    while (!existsSync(join(dir, 'data', 'written-2'))) await new Promise((resolve) => setTimeout(resolve, 100));
    t.same(
      await tags(),
      { a: [1], b: [1] },
      'both new versions are written, the step has not committed: readers see the old ones',
    );
    const result = await second;
    done = true;
    await poll;
    t.equal(result.exitCode, 0, 'exit 0', { output: result.stdout + result.stderr });
    t.match(
      result.stdout,
      /2 assertions gated it/,
      'the gates passed: they read the new versions (the views still showed tag 1)',
    );
    t.same(await tags(), { a: [2], b: [2] }, 'after the commit both show the new version');
    t.same(
      reads.filter((r) => r.error),
      [],
      'no read failed',
    );
    t.same(
      reads.filter((r) => r.lo !== r.hi || r.n !== (r.table === 'a' ? 1000 : 2000)),
      [],
      `each of ${reads.length} reads saw one whole version`,
    );
    const order = (table: string) => reads.filter((r) => r.table === table).map((r) => r.lo);
    for (const table of ['a', 'b'])
      t.same(order(table), [...order(table)].sort(), `${table}: old, then new, never back`);
    t.same(
      (await versionRows(ledger)).filter((v) => v.name === 'pair.a').map((v) => v.state),
      ['previous', 'current'],
      'the version before stays (a reader may be reading it)',
    );
  },
);

t.test('NAME.spark.sql replaces NAME.sql on Spark and templates see {{ engine }}', async (t) => {
  t.same(await onSpark(url, 'SELECT * FROM pair.which'), [{ file: 'the Spark file', engine: 'spark' }]);
});

t.test('an INSERT into a table its step dropped fails like a missing table; the table stays as it was', async (t) => {
  const dropped = await run({ tag: 2, drop: 1 }, ['--only', 'variant']);
  t.equal(dropped.exitCode, 1);
  t.match(
    dropped.stdout,
    'error: [TABLE_OR_VIEW_NOT_FOUND] The table or view `pair.which` cannot be found (this step dropped it).',
  );
  t.match(dropped.stdout, 'at sql/02_variant/01_which.spark.sql:3');
  t.same(await onSpark(url, 'SELECT * FROM pair.which'), [{ file: 'the Spark file', engine: 'spark' }]);
});

t.test(
  'a no-transaction file: each write commits on its own; CREATE TABLE IF NOT EXISTS of a committed table writes nothing',
  async (t) => {
    t.same(
      (await onSpark(url, 'SELECT tag FROM pair.log ORDER BY tag')).map((r) => r.tag),
      [1, 2],
    );
    const logged = (await readCsv(join(dir, 'logs', '03_log.csv'))).filter((r) =>
      String(r.statement).startsWith('CREATE TABLE IF NOT EXISTS'),
    );
    t.same(
      logged.map((r) => r.rows_changed),
      ['0', '0'],
      'no rows: created empty, then already there',
    );
  },
);

t.test(
  'a statement Spark rejects fails the step at the source file:line; no version is left and the views show what they showed',
  async (t) => {
    const versions = await versionRows(ledger);
    const retired = new Set(
      versions.filter((v) => v.state === 'retired').map((v) => String(v.physical).replace('pair.', '')),
    );
    const before = {
      tables: (await tablesOf(url, 'pair')).filter((name) => !retired.has(name)),
      versions: versions.filter((v) => v.state !== 'retired'),
    };
    const failed = await run({ tag: 3, fail: 1 }); // its start drops the retired versions (two commits old)
    t.equal(failed.exitCode, 1);
    const line = TABLES.split('\n').findIndex((l) => l.includes('no_such_column')) + 1;
    t.match(
      failed.stdout,
      /error: \[UNRESOLVED_COLUMN\.WITH_SUGGESTION\] A column, variable, or function parameter with name `no_such_column` cannot be resolved/,
    );
    t.match(failed.stdout, `at sql/01_pair/01_tables.sql:${line}`);
    t.match(failed.stdout, /nothing of 01_pair was committed/);
    t.same(await tags(), { a: [2], b: [2] });
    t.same(await tablesOf(url, 'pair'), before.tables, 'the versions the failed step wrote are dropped');
    t.same(await versionRows(ledger), before.versions, 'the ledger is unchanged');
  },
);

t.test('a failing gate rolls the step back: it read the new versions, the views keep the old ones', async (t) => {
  const before = await tablesOf(url, 'pair');
  const gated = await run({ tag: 4, expect: 5 });
  t.equal(gated.exitCode, 1);
  t.match(
    gated.stdout,
    /assertions gating this step failed: a_is_this_runs \(tests\/pair\.sql:\d+\) found 1 offending row; b_is_this_runs/,
  );
  t.same(await tags(), { a: [2], b: [2] });
  t.same(await tablesOf(url, 'pair'), before);
});

t.test(
  'the start of a run finishes a switch a kill interrupted (after the ledger commit) and drops versions no ledger row names',
  async (t) => {
    // the state a step leaves when killed right after its commit point: its versions current in the ledger,
    // the views not switched; plus a version of a known table no ledger row names (a step killed before its commit)
    for (const [table, n] of [
      ['a', 1000],
      ['b', 2000],
    ])
      await onSpark(url, `CREATE TABLE pair.${table}__dsmanual1 AS SELECT 7 AS tag, id FROM range(${n}) AS r(id)`);
    await onSpark(url, 'CREATE TABLE pair.a__dsorphan1 AS SELECT 0 AS tag');
    await onSpark(url, 'CREATE TABLE pair.other__dsorphan2 AS SELECT 0 AS tag'); // a name this ledger never had: not ours
    const db = await openDatabase(ledger);
    await db.begin();
    await recordVersions(db, [
      { name: 'pair.a', physical: 'pair.a__dsmanual1', kind: 'table' },
      { name: 'pair.b', physical: 'pair.b__dsmanual1', kind: 'table' },
    ]);
    await db.commit();
    db.close();
    t.same(await tags(), { a: [2], b: [2] }, 'before: the views still show the old versions');

    const repaired = await run({ tag: 7 }, ['test']);
    t.equal(repaired.exitCode, 0, 'exit 0', { output: repaired.stdout + repaired.stderr });
    t.same(await tags(), { a: [7], b: [7] }, 'the views show the committed versions');
    const tables = await tablesOf(url, 'pair');
    t.notOk(tables.includes('a__dsorphan1'), 'the uncommitted version is dropped');
    t.ok(tables.includes('other__dsorphan2'), 'a table of a name this ledger does not know is left alone');
    t.same(
      (await versionRows(ledger)).filter((v) => !v.repointed),
      [],
      'the ledger says every view is switched',
    );
    const again = await run({ tag: 7 }, ['test']);
    t.equal(again.exitCode, 0);
    t.same(await tablesOf(url, 'pair'), tables, 'a second start changes nothing');
    t.notMatch(readFileSync(join(dir, 'logs', 'run_log.csv'), 'utf8'), /__ds/, 'logs name tables, not their versions');
  },
);
