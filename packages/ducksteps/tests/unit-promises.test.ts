// What a unit test promises at its edges (docs/unit-tests.md): a value is compared exactly as written (no cast
// rounds it into a pass), rows as multisets (a missing duplicate fails), an expected table is one the step
// writes, a step that does not render is reported as what it is, and create-test takes the batch holding the
// rows asked for. Real DuckDB, the real CLI in subprocesses.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project } from './helpers.js';

const TYPED = {
  'package.json': JSON.stringify({ name: 'typed' }),
  sql: {
    '01_t': {
      '01.sql': [
        'CREATE TABLE IF NOT EXISTS src (id INTEGER, qty INTEGER, amount DECIMAL(10, 2), ts TIMESTAMP);',
        'CREATE OR REPLACE TABLE out AS SELECT id, CAST(amount AS INTEGER) AS amount, CAST(ts AS DATE) AS day, qty FROM src;',
      ].join('\n'),
    },
  },
};

const TRUNCATES = `truncates:
  given:
    src: |
      id, qty, amount, ts
      1,  2,   12.39,  2024-01-01 13:45:00
  expect:
    out:
      key: id
      rows: |
        id, amount, day
        1,  12.39,  2024-01-01 13:45:00
same_values_other_spelling:
  given:
    src: |
      id, qty, amount, ts
      1,  2.0, 12.00,  2024-01-01 00:00:00
  expect:
    out: |
      id, amount, day,                 qty
      1,  12.0,   2024-01-01 00:00:00, 2
`;

t.test(
  "an expected value its column's type holds only rounded (12.39 for an INTEGER, a time for a DATE) fails the test, shown as written; the same value spelled otherwise passes",
  async (t) => {
    const dir = project(t, undefined, { ...TYPED, tests: { unit: { '01_t.yaml': TRUNCATES } } });
    const run = await cli(dir, ['test', '--unit']);
    t.equal(run.exitCode, 1, run.stdout);
    t.match(
      run.stdout,
      [
        '✘ 01_t › truncates (tests/unit/01_t.yaml:1) failed',
        '  out: 1 row expected, 1 actual; 1 changed (key id), 0 only expected, 0 only actual',
        '      id | amount     | day',
        '    ~ 1  | 12.39 → 12 | 2024-01-01 13:45:00 → 2024-01-01',
      ].join('\n'),
    );
    t.match(run.stdout, /│ 01_t › same_values_other_spelling │ tests\/unit\/01_t\.yaml:12 │ pass/);
  },
);

t.test(
  "a given value its column's type would round (2.7 for an INTEGER) is that test's error at its line",
  async (t) => {
    const test = `rounds:\n  given:\n    src: |\n      id, qty\n      1,  2\n      2,  2.7\n  expect:\n    out: |\n      id, qty\n      1,  2\n      2,  3\n`;
    const dir = project(t, undefined, { ...TYPED, tests: { unit: { '01_t.yaml': test } } });
    const run = await cli(dir, ['test', '--unit']);
    t.equal(run.exitCode, 1, run.stdout);
    t.match(
      run.stdout,
      [
        '✘ 01_t › rounds (tests/unit/01_t.yaml:1) error',
        '  error: src: "2.7" in column qty is not a INTEGER exactly: it would become 3',
        '  at tests/unit/01_t.yaml:6',
        '  hint: write the value the column holds (3), or give the column another type under types:',
      ].join('\n'),
    );
  },
);

t.test('rows are compared as multisets: a duplicate row missing on either side fails the test', async (t) => {
  const test = (step: string, expected: string) => ({
    'package.json': JSON.stringify({ name: 'dups' }),
    sql: { '01_t': { '01.sql': step } },
    tests: {
      unit: {
        '01_t.yaml': `dups:\n  given:\n    src: |\n      x\n      1\n      1\n  expect:\n    out: |\n${expected}`,
      },
    },
  });
  const lost = project(
    t,
    undefined,
    test('CREATE TABLE out AS SELECT DISTINCT x FROM src;', '      x\n      1\n      1\n'),
  );
  const one = await cli(lost, ['test', '--unit']);
  t.equal(one.exitCode, 1, one.stdout);
  t.match(
    one.stdout,
    '  out: 2 rows expected, 1 actual; 0 changed, 1 only expected, 0 only actual\n      x\n    - 1\n',
  );
  const kept = project(t, undefined, test('CREATE TABLE out AS SELECT x FROM src;', '      x\n      1\n'));
  const two = await cli(kept, ['test', '--unit']);
  t.equal(two.exitCode, 1, two.stdout);
  t.match(two.stdout, '  out: 1 row expected, 2 actual; 0 changed, 0 only expected, 1 only actual\n      x\n    + 1\n');
});

t.test(
  'an expected table must be one the step writes: a given table it leaves alone fails the test; one its SQL writes (adding nothing) or its script changes passes',
  async (t) => {
    const test = (table: string) =>
      `${table}:\n  given:\n    src: |\n      id, qty\n      1,  2\n  expect:\n    ${table}: |\n      id, qty\n      1,  2\n`;
    const dir = project(t, undefined, {
      'package.json': JSON.stringify({ name: 'writes' }),
      sql: {
        '01_t': {
          '01.sql': [
            'CREATE TABLE IF NOT EXISTS src (id INTEGER, qty INTEGER);',
            'CREATE TABLE IF NOT EXISTS seen (id INTEGER, qty INTEGER);',
            'INSERT INTO seen SELECT * FROM src WHERE false;',
            'CREATE TABLE IF NOT EXISTS tweaked (id INTEGER, qty INTEGER);',
            'CREATE OR REPLACE TABLE out AS SELECT * FROM src;',
          ].join('\n'),
        },
      },
      steps: {
        '01_t.ts':
          "export async function after(ctx) {\n  const table = 'tweaked';\n  await ctx.db.run('UPDATE ' + table + ' SET qty = qty + 1');\n}\n",
      },
      tests: {
        unit: {
          '01_t.yaml': [
            test('src'),
            test('seen').replace('    src: |', '    seen: |\n      id, qty\n      1,  2\n    src: |'),
            test('tweaked').replace('    src: |', '    tweaked: |\n      id, qty\n      1,  1\n    src: |'),
          ].join(''),
        },
      },
    });
    const run = await cli(dir, ['test', '--unit']);
    t.equal(run.exitCode, 1, run.stdout);
    t.match(
      run.stdout,
      '✘ 01_t › src (tests/unit/01_t.yaml:1) failed\n  src: a given table the step does not write (left as given): expect a table the step writes\n',
    );
    t.match(run.stdout, /│ 01_t › seen +│ [^│]+│ pass/);
    t.match(run.stdout, /│ 01_t › tweaked +│ [^│]+│ pass/);
  },
);

t.test(
  "a step that does not render is reported first and once, as what it is: the other steps' tests keep their column types, its own tests point to it",
  async (t) => {
    const trivial = (name: string) => `${name}:\n  expect:\n    x: |\n      a\n      1\n`;
    const dir = project(t, undefined, {
      'package.json': JSON.stringify({ name: 'typo' }),
      sql: {
        '01_load': {
          '01.sql':
            "CREATE TABLE IF NOT EXISTS raw (d VARCHAR);\nCREATE OR REPLACE TABLE typed AS SELECT CAST(try_strptime(d, '%Y-%m-%d') AS DATE) AS d FROM raw;",
        },
        '02_new': { '01.sql': 'CREATE TABLE x AS SELECT {{ vars.a | nofilter }} AS a;' },
      },
      tests: {
        unit: {
          '01_load.yaml':
            'typed:\n  given:\n    raw: |\n      d\n      2024-01-02\n  expect:\n    typed: |\n      d\n      2024-01-02\n',
          '02_new.yaml': trivial('one') + trivial('two'),
        },
      },
    });
    const run = await cli(dir, ['test', '--unit']);
    t.equal(run.exitCode, 1, run.stdout);
    t.match(
      run.stdout,
      /^✘ 02_new does not render: unit tests take no column types from it, and none of its own can run\n  error: template error: filter not found: nofilter\n  at sql\/02_new\/01\.sql:1\n/,
      'first, as what it is',
    );
    t.equal(run.stdout.split('filter not found').length - 1, 1, 'once');
    t.match(run.stdout, /│ 01_load › typed +│ [^│]+│ pass/, "the other step's test keeps the project's VARCHAR column");
    for (const [name, line] of [
      ['one', 1],
      ['two', 6],
    ])
      t.match(
        run.stdout,
        `✘ 02_new › ${name} (tests/unit/02_new.yaml:${line}) error\n  error: its step does not render (the error above)\n  at sql/02_new/01.sql:1\n`,
      );
  },
);

const BATCHED = {
  'package.json': JSON.stringify({ name: 'batched', ducksteps: { inputs: { events: 'data/landing/events/*.csv' } } }),
  data: { landing: { events: { 'e1.csv': 'event_id,kind_id,amount\n1,35,2.50\n2,36,4.00\n' } } },
  sql: {
    '01_load': {
      '01.sql': [
        '-- ducksteps: incremental',
        'CREATE TABLE IF NOT EXISTS raw_events (batch_id INTEGER, event_id INTEGER, kind_id INTEGER, amount DECIMAL(10, 2));',
        "CREATE OR REPLACE TABLE kinds AS SELECT range AS kind_id, 'kind ' || range AS label FROM range(1, 41);",
        'INSERT INTO raw_events SELECT {{ batch.id }}, * FROM read_csv({{ batch.files.events }}, header = true);',
      ].join('\n'),
    },
    '02_sum': {
      '01.sql': [
        '-- ducksteps: incremental',
        'CREATE TABLE IF NOT EXISTS sums (batch_id INTEGER, label VARCHAR, amount DECIMAL(10, 2));',
        'INSERT INTO sums SELECT e.batch_id, k.label, sum(e.amount) FROM raw_events AS e JOIN kinds AS k USING (kind_id)',
        'WHERE e.batch_id = {{ batch.id }} GROUP BY ALL;',
      ].join('\n'),
    },
  },
};

t.test(
  "create-test takes the batch holding the --where rows, not the step's latest, and the lookup rows they name; without --where, an upstream table gives rows of the latest batch",
  async (t) => {
    const dir = project(t, undefined, BATCHED);
    t.equal((await cli(dir)).exitCode, 0);
    writeFileSync(join(dir, 'data/landing/events/e2.csv'), 'event_id,kind_id,amount\n3,37,1.00\n4,38,2.00\n');
    t.equal((await cli(dir)).exitCode, 0, 'batch 2');
    const one = await cli(dir, ['create-test', '02_sum', '--where', 'event_id IN (1)', '--name', 'one']);
    t.equal(one.exitCode, 0, one.stdout + one.stderr);
    t.match(
      one.stdout,
      'wrote tests/unit/02_sum.yaml: test one\n  batch 1: the latest batch holding the rows asked for\n  given kinds: 1 row (of 40)\n  given raw_events: 1 row (of 4)\n  expect sums: 1 row\nit passes as written',
    );
    const latest = await cli(dir, ['create-test', '02_sum', '--name', 'latest']);
    t.equal(latest.exitCode, 0, latest.stdout + latest.stderr);
    t.match(
      latest.stdout,
      '  batch 2: the latest batch 02_sum committed\n  given kinds: 2 rows (of 40)\n  given raw_events: 2 rows (of 4)\n  expect sums: 2 rows\n',
    );
    const yaml = readFileSync(join(dir, 'tests/unit/02_sum.yaml'), 'utf8');
    t.match(yaml, /\none:\n(.*\n)*?  batch:\n    id: 1\n/);
    t.match(yaml, '    # 1 of 40 rows: those holding the kind_id of the other given rows\n');
    t.match(
      yaml,
      '    # 2 of 4 rows: those of batch 2\n    raw_events: |\n      batch_id,event_id,kind_id,amount\n      2,3,37,1.00\n      2,4,38,2.00\n',
      'the rows of the batch the test processes',
    );
  },
);

t.test(
  'test --unit leaves logs/report.html as the last run wrote it, and ./run.sh report still shows that run',
  async (t) => {
    const dir = project(t, undefined, {
      ...BATCHED,
      tests: {
        unit: {
          '02_sum.yaml':
            'sums:\n  batch: { id: 1 }\n  given:\n    kinds: |\n      kind_id, label\n      1,       a\n    raw_events: |\n      batch_id, kind_id, amount\n      1,        1,       2\n  expect:\n    sums: |\n      label, amount\n      a,     2\n',
        },
      },
    });
    t.equal((await cli(dir)).exitCode, 0);
    const report = join(dir, 'logs/report.html');
    const before = readFileSync(report, 'utf8');
    const unit = await cli(dir, ['test', '--unit']);
    t.equal(unit.exitCode, 0, unit.stdout);
    t.notMatch(unit.stdout, /report:/);
    t.equal(readFileSync(report, 'utf8'), before, 'unchanged');
    t.equal((await cli(dir, ['report'])).exitCode, 0);
    const again = readFileSync(report, 'utf8');
    t.match(again, '01_load · batch 1', "the pipeline's run, its steps");
    t.notMatch(again, 'a step does not render');
  },
);
