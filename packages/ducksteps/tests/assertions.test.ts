import t from 'tap';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, query, read, readCsv } from './helpers.js';

t.test('assertions report pass, fail, warn and error, each on its own; errors fail the build', async (t) => {
  // "gates": false: every assertion after the steps (gates.test.ts covers assertions inside their step)
  const dir = project(t, 'failing-assertion', { 'package.json': '{ "ducksteps": { "gates": false } }' });
  const run = await cli(dir);
  t.equal(run.exitCode, 1, 'an error-severity failure exits 1');
  const log = await readCsv(join(dir, 'logs/tests.csv'));
  t.same(
    log.map((r) => [r.test, r.severity, r.status, r.failing_rows]),
    [
      ['broken_query', 'error', 'error', '0'],
      ['people#1', 'error', 'fail', '1'],
      ['people#2', 'warn', 'warn', '1'],
      ['people_not_empty', 'error', 'pass', '0'],
    ],
  );
  t.match(log[0].error, /^tests\/more\/broken\.sql:2: Catalog Error: Table with name no_such_table does not exist/);
  t.match(run.stdout, /✘ people#1 \(tests\/people\.sql:2\): 1 offending row\n/);
  t.match(run.stdout, /│ id │ occurrences │\n.*│ 7 +│ 2 +│/);
  t.match(run.stdout, 'the row: logs/test_failures/people_1.csv');
  t.equal(read(join(dir, 'logs/test_failures/people_1.csv')), 'id,occurrences\r\n7,2\r\n');
  t.equal(read(join(dir, 'logs/test_failures/people_2.csv')), 'value,row_count\r\nXX,1\r\n');
  const runLog = await readCsv(join(dir, 'logs/run_log.csv'));
  t.same(
    runLog.map((r) => [r.step, r.status]),
    [
      ['01_data', 'ok'],
      ['tests', 'failed'],
    ],
  );
});

t.test('a warn failure alone exits 0 and is logged', async (t) => {
  const dir = project(t, 'failing-assertion', { 'package.json': '{ "ducksteps": { "gates": false } }' });
  rmSync(join(dir, 'tests/more'), { recursive: true });
  writeFileSync(
    join(dir, 'tests/people.sql'),
    "-- severity: warn\n{{ accepted_values('people', 'country', ['FR', 'DE']) }};",
  );
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stdout);
  t.match(
    run.stdout,
    /\n✔ 1 assertion: 0 passed, 1 warning\n! people: 1 offending row \(warn, tests\/people\.sql:2\), it is in logs\/test_failures\/people\.csv\n/,
    'one line for the warning: its count, where it is, the file of its rows',
  );
  t.notMatch(run.stdout, /│ country/, 'its rows are not printed: a warning does not stop the run');
  t.match((await readCsv(join(dir, 'logs/tests.csv')))[0], { test: 'people', status: 'warn' });
});

t.test('an assertion cannot write: it fails as error and the database is unchanged', async (t) => {
  const dir = project(t, 'ok', { tests: { 'writes.sql': 'DELETE FROM numbers;' } });
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /DELETE is not allowed in an assertion: assertions change nothing\n\s+at tests\/writes\.sql:1/);
  t.same(await query(join(dir, 'data/warehouse.duckdb'), 'SELECT count(*) AS n FROM numbers'), [{ n: 11 }]);
});

t.test('"test" runs only the assertions against the current database', async (t) => {
  const dir = project(t, 'ok');
  t.equal((await cli(dir)).exitCode, 0);
  const before = (await readCsv(join(dir, 'logs/run_log.csv'))).length;
  const run = await cli(dir, ['test']);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.notMatch(run.stdout, /01_load/);
  t.match(run.stdout, /^✔ \d+ assertions?: \d+ passed\n/m, 'the passing assertions are one line');
  t.notMatch(run.stdout, /totals_positive/);
  const rows = await readCsv(join(dir, 'logs/run_log.csv'));
  t.same(
    rows.slice(before).map((r) => r.step),
    ['tests'],
    'only a tests row is added',
  );
  t.match((await cli(dir, ['test', '--verbose'])).stdout, /totals_positive │ error +│ pass/, '--verbose: each one');
});

t.test('the assertions are skipped when a step failed', async (t) => {
  const dir = project(t, 'bad-sql', { tests: { 'x.sql': 'SELECT 1;' } });
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, 'tests: skipped (a step did not finish ok)');
  t.notOk(existsSync(join(dir, 'logs/tests.csv')));
});

t.test('the built-in assertion macros return the offending rows', async (t) => {
  const dir = project(t, 'failing-assertion', {
    tests: {
      'builtins.sql': [
        "-- name: nn\n{{ not_null('people', ['id', 'country']) }};",
        "-- name: rel\n{{ relationships('people', 'id', '(SELECT 1 AS id)', 'id') }};",
        "-- name: expr\n{{ expression('people', 'id < 7') }};",
        "-- name: count_max\n{{ row_count('people', 1, 5) }};",
      ].join('\n'),
    },
  });
  rmSync(join(dir, 'tests/people.sql'));
  rmSync(join(dir, 'tests/more'), { recursive: true });
  await cli(dir);
  const log = Object.fromEntries((await readCsv(join(dir, 'logs/tests.csv'))).map((r) => [r.test, r.failing_rows]));
  t.same(log, { nn: '1', rel: '6', expr: '2', count_max: '1' });
  t.equal(read(join(dir, 'logs/test_failures/count_max.csv')), 'row_count,expected_min,expected_max\r\n8,1,5\r\n');
});

t.test(
  'expression() passes rows where the condition is NULL, as a CHECK constraint and dbt do; expression_strict() fails them',
  async (t) => {
    const dir = project(t, undefined, {
      sql: {
        '01_t': { 'a.sql': 'CREATE TABLE t AS SELECT * FROM (VALUES (1, 5), (2, NULL), (3, -1)) AS v(id, qty);' },
      },
      tests: {
        'qty.sql':
          "-- name: check_like\n-- severity: warn\n{{ expression('t', 'qty > 0') }};\n-- name: strict\n-- severity: warn\n{{ expression_strict('t', 'qty > 0') }};",
      },
    });
    t.equal((await cli(dir)).exitCode, 0);
    const log = Object.fromEntries((await readCsv(join(dir, 'logs/tests.csv'))).map((r) => [r.test, r.failing_rows]));
    t.same(log, { check_like: '1', strict: '2' });
    t.equal(
      read(join(dir, 'logs/test_failures/check_like.csv')),
      'id,qty\r\n3,-1\r\n',
      'only the row where it is false',
    );
  },
);

t.test(
  './run.sh test never publishes and never shows or logs publish targets, whether its assertions pass or fail',
  async (t) => {
    const dir = project(t, undefined, {
      sql: { '01_t': { 'a.sql': 'CREATE OR REPLACE TABLE t AS SELECT {{ vars.v | default(1) }} AS v;' } },
      tests: { 'positive.sql': 'SELECT * FROM t WHERE v < 0;' },
      publish: { '01.sql': '-- publish: file out/t.csv\nSELECT * FROM t' },
      'package.json': JSON.stringify({ ducksteps: { gates: false } }),
    });
    t.equal((await cli(dir)).exitCode, 0);
    const before = (await readCsv(join(dir, 'logs/run_log.csv'))).length;
    t.equal((await cli(dir, ['--var', 'v=-1'])).exitCode, 1, 'a run whose assertion fails');
    for (const args of [['test'], ['test', '--var', 'v=-1']]) {
      const run = await cli(dir, args);
      t.notMatch(run.stdout, /publish|skipped \(the run failed/, `${args.join(' ')}: no publish table`);
    }
    const rows = (await readCsv(join(dir, 'logs/run_log.csv'))).slice(before);
    t.same(
      rows.filter((r) => String(r.step).startsWith('publish ')).map((r) => r.status),
      ['skipped'],
      'only the failed run withheld its target',
    );
  },
);

t.test(
  'a run whose steps created no warehouse yet says so instead of failing to open it, and publishes nothing (exit 1)',
  async (t) => {
    const dir = project(t, undefined, {
      sql: {
        '01_files': { 'a.sql': "-- ducksteps: local\nCOPY (SELECT 1 AS x) TO 'out.csv';" },
        '02_table': { 'a.sql': 'CREATE OR REPLACE TABLE t AS SELECT 1 AS x;' },
      },
      tests: { 't.sql': 'SELECT * FROM t WHERE x <> 1;' },
      publish: { '01_t.sql': '-- publish: file output/t.csv\nSELECT * FROM t' },
    });
    const run = await cli(dir, ['--only', '01_files']);
    t.equal(run.exitCode, 1, run.stdout);
    t.match(
      run.stdout,
      /error: the warehouse data\/warehouse\.duckdb does not exist yet: the 1 assertion after the steps has no tables to read\n\s+hint: run the steps that build it first \(\.\/run\.sh runs them all\); nothing was published/,
    );
    t.notOk(existsSync(join(dir, 'output/t.csv')), 'nothing published');
    t.notMatch(run.stdout, /IO Error/);
  },
);
