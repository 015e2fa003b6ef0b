// Assertions gate the step that builds what they read: they run inside its transaction, before COMMIT.
import t from 'tap';
import { join } from 'node:path';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cli, project, query, readCsv } from './helpers.js';

const STEPS = {
  '01_people': {
    'a.sql':
      'CREATE OR REPLACE TABLE people AS SELECT * FROM (VALUES (1, {{ vars.age | default(30) | int }}), (2, 40)) AS v(id, age);',
  },
  '02_summary': { 'a.sql': 'CREATE OR REPLACE TABLE summary AS SELECT count(*) AS n FROM people;' },
  '03_other': { 'a.sql': 'CREATE OR REPLACE TABLE other AS SELECT 1 AS x;' },
};
const TESTS = {
  'ages.sql':
    '-- name: age_positive\nSELECT * FROM people WHERE age <= 0;\n-- name: age_plausible\n-- severity: warn\nSELECT * FROM people WHERE age > 120;',
  'both.sql': '-- name: summary_counts_people\nSELECT * FROM summary, (SELECT count(*) AS c FROM people) WHERE n <> c;',
  'free.sql': '-- name: no_tables\nSELECT 1 WHERE false;',
  'named.sql': '-- name: pinned\n-- step: 03_other\nSELECT * FROM people WHERE id IS NULL;',
};
const db = (dir: string) => join(dir, 'data/warehouse.duckdb');

t.test(
  'an assertion runs before its step commits: an error failure rolls the step back and stops the build',
  async (t) => {
    const dir = project(t, undefined, { sql: STEPS, tests: TESTS });
    const good = await cli(dir, ['--verbose']); // --verbose: the line saying how many assertions run after the steps
    t.equal(good.exitCode, 0, good.stdout);
    t.match(good.stdout, /✔ 01_people ok in [\d.]+ s, 2 rows, 1 statement, 2 assertions gated it/);
    t.match(good.stdout, /✔ 02_summary ok in [\d.]+ s, 1 row, 1 statement, 1 assertion gated it/);
    t.match(
      good.stdout,
      /✔ 03_other ok in [\d.]+ s, 1 row, 1 statement, 1 assertion gated it/,
      '-- step: pins an assertion to a step',
    );
    t.match(
      good.stdout,
      /▶ tests: 1 assertion after the steps/,
      "an assertion that reads no step's tables runs after them",
    );
    const bad = await cli(dir, ['--var', 'age=-5']);
    t.equal(bad.exitCode, 1);
    t.match(
      bad.stdout,
      /✘ 01_people failed[\s\S]*error: assertion gating this step failed: age_positive \(tests\/ages\.sql:2\) found 1 offending row[\s\S]*nothing of 01_people was committed/,
    );
    t.match(
      bad.stdout,
      /✘ age_positive \(tests\/ages\.sql:2\): 1 offending row\n[\s\S]*-5/,
      'the offending rows are shown',
    );
    t.same(
      await query(db(dir), 'SELECT age FROM people ORDER BY id'),
      [{ age: 30 }, { age: 40 }],
      'the database is exactly as before the step',
    );
    const log = await readCsv(join(dir, 'logs/run_log.csv'));
    const last = log.filter((r) => r.run_id === log.at(-1)!.run_id).map((r) => `${r.step}:${r.status}`);
    t.same(
      last,
      ['01_people:failed', '02_summary:skipped', '03_other:skipped', 'tests:skipped'],
      'later steps are skipped',
    );
    const tests = (await readCsv(join(dir, 'logs/tests.csv'))).filter((r) => r.test === 'age_positive');
    t.same(
      tests.map((r) => [r.status, r.step]),
      [
        ['pass', '01_people'],
        ['fail', '01_people'],
      ],
      'tests.csv names the step an assertion gated',
    );
  },
);

t.test('a warn gate logs and commits', async (t) => {
  const dir = project(t, undefined, { sql: STEPS, tests: TESTS });
  const run = await cli(dir, ['--var', 'age=150']);
  t.equal(run.exitCode, 0);
  t.match(
    run.stdout,
    /! age_plausible: 1 offending row \(warn, tests\/ages\.sql:5\), it is in logs\/test_failures\/age_plausible\.csv/,
  );
  t.same(await query(db(dir), 'SELECT max(age) AS m FROM people'), [{ m: 150 }]);
});

t.test('a gate on an incremental step: the failing batch never commits and stays pending', async (t) => {
  const load =
    "-- ducksteps: incremental\nCREATE TABLE IF NOT EXISTS ev (v INTEGER);\nINSERT INTO ev SELECT v FROM read_csv({{ batch.files.ev }}, header = true, columns = {'v': 'INTEGER'});";
  const dir = project(t, undefined, {
    'package.json': JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
    sql: { '01_load': { 'a.sql': load } },
    tests: { 'positive.sql': 'SELECT * FROM ev WHERE v < 0;' },
  });
  mkdirSync(join(dir, 'data/landing'), { recursive: true });
  writeFileSync(join(dir, 'data/landing/a.csv'), 'v\n1\n');
  t.equal((await cli(dir)).exitCode, 0);
  writeFileSync(join(dir, 'data/landing/b.csv'), 'v\n-1\n');
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /✘ 01_load batch 2 \(1 file\) failed[\s\S]*assertion gating this step failed: positive/);
  t.same(
    await query(db(dir), 'SELECT count(*) AS n FROM ducksteps.loaded_files'),
    [{ n: 1 }],
    'b.csv is still pending',
  );
  const list = await cli(dir, ['list']);
  t.match(list.stdout, /ev\s+│ data\/landing\/\*\.csv\s+│ 1\s+│ 0\s+│ 1\s+│ data\/landing\/b\.csv/);
});

t.test(
  './run.sh test still runs every assertion, read-only; list shows which assertions gate which step',
  async (t) => {
    const dir = project(t, undefined, { sql: STEPS, tests: TESTS });
    t.equal((await cli(dir)).exitCode, 0);
    const run = await cli(dir, ['test', '--verbose']); // --verbose: every assertion by name
    t.equal(run.exitCode, 0);
    for (const name of ['age_positive', 'age_plausible', 'summary_counts_people', 'no_tables', 'pinned'])
      t.match(run.stdout, new RegExp(`${name}\\s+│`), name);
    const one = await cli(dir, ['test', '--select', 'people', '--verbose']);
    t.equal(one.exitCode, 0);
    t.match(one.stdout, /age_positive\s+│/);
    t.notMatch(one.stdout, /summary_counts_people|no_tables|pinned/, 'test --select X runs the assertions gating X');
    const list = await cli(dir, ['list']);
    t.match(list.stdout, /01_people\s+│.*│ age_positive, age_plausible\s+│/);
    t.match(list.stdout, /02_summary\s+│.*│ summary_counts_people\s+│/);
    t.match(list.stdout, /after the steps: no_tables/);
  },
);

t.test('an unknown -- step: name is an error assertion naming the steps', async (t) => {
  const dir = project(t, undefined, { sql: STEPS, tests: { 'x.sql': '-- step: 09_nope\nSELECT 1 WHERE false;' } });
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /-- step: 09_nope names no step[\s\S]*steps: 01_people, 02_summary, 03_other/);
});

t.test(
  'every run checks every assertion: one on an up-to-date incremental step fails the run and nothing is published',
  async (t) => {
    const load =
      "-- ducksteps: incremental\nCREATE TABLE IF NOT EXISTS ev (v INTEGER);\nINSERT INTO ev SELECT v FROM read_csv({{ batch.files.ev }}, header = true, columns = {'v': 'INTEGER'});";
    const dir = project(t, undefined, {
      'package.json': JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
      sql: { '01_load': { 'a.sql': load } },
      publish: { '01_ev.sql': '-- publish: file output/ev.csv\nSELECT * FROM ev' },
    });
    mkdirSync(join(dir, 'data/landing'), { recursive: true });
    writeFileSync(join(dir, 'data/landing/a.csv'), 'v\n1\n');
    t.equal((await cli(dir)).exitCode, 0);
    rmSync(join(dir, 'output'), { recursive: true });
    mkdirSync(join(dir, 'tests'));
    writeFileSync(join(dir, 'tests/big.sql'), '-- name: no_ones\nSELECT * FROM ev WHERE v = 1;'); // a new check that fails on data already loaded
    const run = await cli(dir, ['--verbose']);
    t.equal(run.exitCode, 1, 'nothing new, yet the failing assertion runs');
    t.match(
      run.stdout,
      /✔ 01_load up to date[\s\S]*▶ tests: 1 assertion after the steps[\s\S]*✘ no_ones \(tests\/big\.sql:2\): 1 offending row/,
    );
    t.notMatch(run.stdout, /the checks passed/);
    t.notOk(existsSync(join(dir, 'output/ev.csv')), 'nothing published');
  },
);

t.test('an assertion gating a step the run does not select runs after the steps', async (t) => {
  const dir = project(t, undefined, { sql: STEPS, tests: TESTS });
  t.equal((await cli(dir)).exitCode, 0);
  const run = await cli(dir, ['--only', '03_other', '--verbose', '--recheck']);
  t.equal(run.exitCode, 0, run.stdout);
  t.match(run.stdout, /▶ tests: 4 assertions after the steps/);
  for (const name of ['age_positive', 'age_plausible', 'summary_counts_people', 'no_tables'])
    t.match(run.stdout, new RegExp(`${name}\\s+│`), name);
});

const WRITERS = {
  '01_base': {
    'a.sql':
      'CREATE TABLE t AS SELECT * FROM (VALUES (1, 10), (2, 20)) AS x(id, v);\nCREATE VIEW v AS SELECT * FROM t;\nCREATE MACRO big(n) AS TABLE SELECT * FROM t WHERE v > n;',
  },
  '02_report': { 'a.sql': 'CREATE TABLE report AS SELECT count(*) AS n FROM v;' },
};
const change = (sql: string) => ({ sql: { ...WRITERS, '03_change': { 'a.sql': sql } } });

t.test(
  'an assertion gates the last step that writes what it reads: UPDATE, DELETE, MERGE-like writes, through views and table macros',
  async (t) => {
    const cases: Array<[string, string, string]> = [
      ['UPDATE', 'UPDATE t SET v = -1 WHERE id = 1;', 'SELECT * FROM t WHERE v < 0'],
      [
        'DELETE through a view',
        'DELETE FROM t WHERE id = 2;',
        'SELECT * FROM (SELECT count(*) AS n FROM v) WHERE n < 2',
      ],
      ['TRUNCATE through a table macro', 'TRUNCATE t;', 'SELECT * FROM (SELECT count(*) AS n FROM big(0)) WHERE n = 0'],
      ['COPY … FROM', "COPY t FROM 'extra.csv' (HEADER);", 'SELECT * FROM t WHERE v < 0'],
      ['INSERT OR REPLACE', 'INSERT INTO t VALUES (3, -3);', 'SELECT * FROM t WHERE v < 0'],
    ];
    for (const [name, sql, check] of cases) {
      const dir = project(t, undefined, {
        ...change(sql),
        tests: { 'c.sql': `-- name: guard\n${check};` },
        'extra.csv': 'id,v\n9,-9\n',
      });
      const run = await cli(dir);
      t.equal(run.exitCode, 1, `${name}: the run fails`);
      t.match(
        run.stdout,
        /✘ 03_change failed[\s\S]*assertion gating this step failed: guard/,
        `${name}: the assertion gated the writer, 03_change`,
      );
      t.same(
        await query(db(dir), 'SELECT id, v FROM t ORDER BY id'),
        [
          { id: 1, v: 10 },
          { id: 2, v: 20 },
        ],
        `${name}: the change was rolled back`,
      );
    }
  },
);

t.test('--select STEP+ and the stale warning follow writes through views', async (t) => {
  const dir = project(t, undefined, change('UPDATE t SET v = v + 1;'));
  t.equal((await cli(dir)).exitCode, 0);
  const plan = await cli(dir, ['compile', '--select', '03_change+']);
  t.match(
    plan.stdout,
    /run plan:\n  1\. step 02_report\n  2\. step 03_change\n/,
    '02_report reads the view over the table 03_change updates',
  );
  const stale = await cli(dir, ['--only', '03_change']);
  t.match(
    stale.stdout,
    /! 02_report reads what 03_change rebuilds and did not run/,
    'a reader of the view over t is stale',
  );
});

t.test(
  "gates plan joins with their sides as written (the step's new rows are not in DuckDB's statistics yet); the step's own optimizer setting is kept",
  async (t) => {
    const dir = project(t, undefined, {
      sql: {
        '01_load': {
          'a.sql':
            "SET disabled_optimizers = 'compressed_materialization';\nCREATE OR REPLACE TABLE facts AS SELECT range AS id FROM range(10);",
        },
      },
      tests: {
        'facts.sql': [
          "-- name: sides_as_written\nSELECT id FROM facts WHERE current_setting('disabled_optimizers') NOT LIKE '%build_side_probe_side%';",
          "-- name: own_setting_kept\nSELECT id FROM facts WHERE current_setting('disabled_optimizers') NOT LIKE '%compressed_materialization%';",
        ].join('\n'),
      },
    });
    const run = await cli(dir);
    t.equal(run.exitCode, 0, run.stdout);
    t.match(run.stdout, /01_load ok in [\d.]+ s, 10 rows, 2 statements, 2 assertions gated it/);
  },
);
