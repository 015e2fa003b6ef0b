// Unit tests with fixture rows (docs/unit-tests.md): the fixture format, running a step on given rows in an
// in-memory DuckDB (the warehouse never opened), diffs, frozen time, landing files, errors at file:line, the
// stage before a run's steps, and create-test's round trip. Real DuckDB, real CLI subprocesses.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFixture } from '../lib/unit-tests/fixture.js';
import { cli, exampleCopy, project, read, readCsv } from './helpers.js';

const SHOP = {
  'package.json': JSON.stringify({ ducksteps: { inputs: { events: 'data/landing/events/*.csv' } } }),
  data: { landing: { events: { 'e1.csv': 'id,amount\n1,2.50\n1,1.50\n2,4.00\n' } } },
  sql: {
    '01_load': {
      '01_events.sql': [
        '-- ducksteps: incremental',
        'CREATE TABLE IF NOT EXISTS raw_events (batch_id INTEGER, file VARCHAR, id INTEGER, amount DECIMAL(10, 2));',
        '{% if batch.full_refresh %}DELETE FROM raw_events;{% endif %}',
        '{% if batch.count.events %}',
        'INSERT INTO raw_events SELECT {{ batch.id }}, parse_filename(filename), id, amount FROM read_csv({{ batch.files.events }}, header = true, filename = true);',
        '{% endif %}',
      ].join('\n'),
    },
    '02_totals': {
      '01_totals.sql': [
        '-- totals per id, stamped with the time',
        'CREATE OR REPLACE TABLE totals AS',
        "SELECT id, sum(amount) AS amount, count(*) AS n, now() AS at, current_date AS day, '{{ run_started_at }}' AS started, {{ vars.factor | default(1) }} AS factor",
        'FROM raw_events GROUP BY id;',
      ].join('\n'),
    },
  },
};

const TOTALS_OK = `sums_per_id:
  now: 2024-03-01 00:30:00
  timezone: Europe/Paris
  vars: { factor: 3 }
  given:
    raw_events: |
      id, amount
      1,  2.50
      1,  NULL
      2,  4
  expect:
    totals:
      key: id
      rows: |
        id, amount, n, at,                     day,        factor
        1,  2.50,   2, 2024-02-29 23:30:00+00, 2024-03-01, 3
        2,  4.00,   1, 2024-02-29 23:30:00+00, 2024-03-01, 3
`;

t.test(
  'the fixture format: CSV-like blocks, NULL and "" and "NULL" apart, aligned cells, comments, types, keys, lines',
  async (t) => {
    const [test] = readFixture(
      'tests/unit/02_t.yaml',
      `one:
  given:
    s.t:
      types: { d: DATE }
      rows: |
        a,    b,      d
        # a comment line
        x y,  NULL,   2024-01-02
        "",   "NULL", ""
  expect:
    s.u:
      key: [a]
      ordered: true
      rows: "a\\n1\\n"
`,
      '02_t',
    );
    t.equal(test.error, undefined);
    t.same(test.given[0], {
      table: 's.t',
      types: { d: 'DATE' },
      columns: ['a', 'b', 'd'],
      rows: [
        ['x y', null, '2024-01-02'],
        ['', 'NULL', ''],
      ],
      lines: [8, 9],
      line: 6,
    });
    t.match(test.expect[0], { table: 's.u', key: ['a'], ordered: true, columns: ['a'], rows: [['1']] });
    t.equal(test.now, '2000-01-01 00:00:00', 'time is frozen by default');
  },
);

t.test(
  'test --unit runs each test on an in-memory DuckDB: frozen time and vars, the warehouse never created, logged as kind unit',
  async (t) => {
    const dir = project(t, undefined, { ...SHOP, tests: { unit: { '02_totals.yaml': TOTALS_OK } } });
    const run = await cli(dir, ['test', '--unit']);
    t.equal(run.exitCode, 0, run.stdout + run.stderr);
    t.match(run.stdout, /│ 02_totals › sums_per_id │ tests\/unit\/02_totals\.yaml:1 │ pass/);
    t.match(run.stdout, /✔ unit tests: 1 passed in /);
    t.notOk(existsSync(join(dir, 'data/warehouse.duckdb')), 'the warehouse was never opened');
    const log = await readCsv(join(dir, 'logs/tests.csv'));
    t.match(log, [
      {
        test: '02_totals › sums_per_id',
        file: 'tests/unit/02_totals.yaml',
        line: '1',
        status: 'pass',
        failing_rows: '0',
        step: '02_totals',
        kind: 'unit',
      },
    ]);
    t.match(
      read(join(dir, 'logs/compiled/unit/02_totals/sums_per_id/01_totals.sql')),
      "'2024-03-01 00:30:00' AS started, 3 AS factor",
      'run_started_at is the frozen time',
    );
    t.notOk(
      existsSync(join(dir, 'logs/report.html')),
      'no report: it shows runs of the pipeline (unit-promises.test.ts)',
    );
    const json = JSON.parse((await cli(dir, ['test', '--unit', '--json'])).stdout);
    t.match(
      json,
      {
        status: 'ok',
        tests: [
          {
            name: 'sums_per_id',
            step: '02_totals',
            location: 'tests/unit/02_totals.yaml:1',
            status: 'pass',
            differing_rows: 0,
          },
        ],
      },
      '--json',
    );
  },
);

t.test(
  'a failing test names the test and the table and shows the row diff: changed cells by key, rows only on one side',
  async (t) => {
    const wrong = TOTALS_OK.replace('1,  2.50,   2,', '1,  2.60,   2,').replace(
      '        2,  4.00,   1, 2024-02-29 23:30:00+00, 2024-03-01, 3\n',
      '        3,  1.00,   1, 2024-02-29 23:30:00+00, 2024-03-01, 3\n',
    );
    const dir = project(t, undefined, { ...SHOP, tests: { unit: { '02_totals.yaml': wrong } } });
    const run = await cli(dir, ['test', '--unit']);
    t.equal(run.exitCode, 1);
    const diff = [
      '✘ 02_totals › sums_per_id (tests/unit/02_totals.yaml:1) failed',
      '  totals: 2 rows expected, 2 actual; 1 changed (key id), 1 only expected, 1 only actual',
      '      id | amount      | n | at                     | day        | factor',
      '    ~ 1  | 2.60 → 2.50 | 2 | 2024-03-01 00:30:00+01 | 2024-03-01 | 3',
      '    - 3  | 1.00        | 1 | 2024-03-01 00:30:00+01 | 2024-03-01 | 3',
      '    + 2  | 4.00        | 1 | 2024-03-01 00:30:00+01 | 2024-03-01 | 3',
      '  - only expected, + only actual, ~ same key with changed cells (expected → actual)',
      '  the whole diff: logs/unit_failures/02_totals.sums_per_id.txt',
    ].join('\n');
    t.match(run.stdout, diff);
    t.match(
      read(join(dir, 'logs/unit_failures/02_totals.sums_per_id.txt')),
      '  ~ 1  | 2.60 → 2.50 |',
      "the whole diff in its file (times shown in the test's time zone)",
    );
    t.match((await readCsv(join(dir, 'logs/tests.csv')))[0], { status: 'fail', failing_rows: '3', kind: 'unit' });
  },
);

t.test(
  'an incremental step gets its batch: landing files, batch id, full refresh, and the prior state it merges into',
  async (t) => {
    const dir = project(t, undefined, {
      ...SHOP,
      tests: {
        unit: {
          '01_load.yaml': `appends_the_batch:
  batch:
    id: 4
    files:
      events:
        late.csv: |
          id,amount
          9,1.25
  given:
    raw_events: |
      batch_id, file,   id, amount
      3,        e1.csv, 1,  2.00
  expect:
    raw_events: |
      batch_id, file,     id, amount
      3,        e1.csv,   1,  2.00
      4,        late.csv, 9,  1.25
refresh_empties_first:
  batch: { id: 1, full_refresh: true, files: { events: { a.csv: "id,amount\\n5,1\\n" } } }
  given:
    raw_events: |
      batch_id, id
      7,        1
  expect:
    raw_events: |
      batch_id, file,  id
      1,        a.csv, 5
`,
        },
      },
    });
    const run = await cli(dir, ['test', '--unit']);
    t.equal(run.exitCode, 0, run.stdout);
    t.match(run.stdout, /✔ unit tests: 2 passed/);
  },
);

t.test(
  "a step with a script runs its before() and after() in the test, in the test's own folder; ordered: true compares positions",
  async (t) => {
    const script =
      "import { writeFileSync } from 'node:fs';\nimport { join } from 'node:path';\nexport async function after(ctx) {\n  await ctx.db.run('INSERT INTO out VALUES (99)');\n  writeFileSync(join(ctx.projectRoot, 'marker.txt'), 'x');\n}\n";
    const test = (order: string) =>
      `keeps_order:\n  given:\n    src: |\n      x\n      1\n      2\n  expect:\n    out:\n      ordered: true\n      rows: |\n        x\n${order
        .split(',')
        .map((x) => `        ${x}\n`)
        .join('')}`;
    const dir = project(t, undefined, {
      sql: { '01_s': { 'a.sql': 'CREATE TABLE out AS SELECT x FROM src ORDER BY x;' } },
      steps: { '01_s.ts': script },
      tests: { unit: { '01_s.yaml': test('1,2,99') } },
    });
    const run = await cli(dir, ['test', '--unit']);
    t.equal(run.exitCode, 0, run.stdout + run.stderr);
    t.notOk(existsSync(join(dir, 'marker.txt')), "the script wrote into the test's scratch folder, not the project");
    writeFileSync(join(dir, 'tests/unit/01_s.yaml'), test('2,1,99'));
    const wrong = await cli(dir, ['test', '--unit']);
    t.equal(wrong.exitCode, 1);
    t.match(
      wrong.stdout,
      '  out: 3 rows expected, 3 actual; 2 changed, 0 only expected, 0 only actual\n      # | x\n    ~ 1 | 2 → 1\n    ~ 2 | 1 → 2\n',
    );
  },
);

t.test(
  './run.sh runs the unit tests of the steps it runs first: a failure stops it before the warehouse is opened',
  async (t) => {
    const wrong = TOTALS_OK.replace('1,  2.50,   2,', '1,  9.99,   2,');
    const dir = project(t, undefined, { ...SHOP, tests: { unit: { '02_totals.yaml': wrong } } });
    const run = await cli(dir);
    t.equal(run.exitCode, 1);
    t.match(run.stdout, /^✘ 02_totals › sums_per_id/);
    t.match(run.stdout, /✘ unit tests: 0 passed, 1 failed in [\d.]+ s; nothing was run on the warehouse/);
    t.notOk(existsSync(join(dir, 'data/warehouse.duckdb')), 'nothing was opened');
    t.same(
      (await readCsv(join(dir, 'logs/run_log.csv'))).map((r) => `${r.step}:${r.status}`),
      ['unit tests:failed', '01_load:skipped', '02_totals:skipped', 'tests:skipped'],
    );
    const only = await cli(dir, ['--only', '01_load']);
    t.equal(only.exitCode, 0, 'a run that does not run 02_totals does not run its tests');
    t.notMatch(only.stdout, /unit tests/);
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ ducksteps: { inputs: { events: 'data/landing/events/*.csv' }, unitTests: false } }),
    );
    const off = await cli(dir);
    t.equal(off.exitCode, 0, '"unitTests": false turns them off before runs');
    t.notMatch(off.stdout, /unit tests/);
    t.equal((await cli(dir, ['test', '--unit'])).exitCode, 1, 'test --unit still runs them');
  },
);

t.test('a step error inside a unit test shows the file:line, statement and hint like a real run', async (t) => {
  const dir = project(t, undefined, { ...SHOP, tests: { unit: { '02_totals.yaml': TOTALS_OK } } });
  writeFileSync(
    join(dir, 'sql/02_totals/01_totals.sql'),
    '-- broken\nCREATE TABLE totals AS\nSELECT id, sum(amount) AS amount\nFROM raw_events GROUP BY nope;\n',
  );
  const run = await cli(dir, ['test', '--unit']);
  t.equal(run.exitCode, 1);
  t.match(
    run.stdout,
    /✘ 02_totals › sums_per_id \(tests\/unit\/02_totals\.yaml:1\) error\n  error: Binder Error: Referenced column "nope" not found/,
  );
  t.match(run.stdout, /  at sql\/02_totals\/01_totals\.sql:4\n(.*\n)*    >    4 \| FROM raw_events GROUP BY nope;/);
  t.match(run.stdout, '  compiled SQL: logs/compiled/unit/02_totals/sums_per_id/01_totals.sql:4');
  writeFileSync(join(dir, 'tests/unit/02_totals.yaml'), TOTALS_OK.replace(/  given:\n(.*\n)*?  expect:/, '  expect:'));
  writeFileSync(join(dir, 'sql/02_totals/01_totals.sql'), SHOP.sql['02_totals']['01_totals.sql']);
  const missing = await cli(dir, ['test', '--unit']);
  t.match(
    missing.stdout,
    "hint: a unit test starts from an empty database: give raw_events's rows under given: in tests/unit/02_totals.yaml (no rows: its header line only)",
  );
});

t.test(
  "given tables take the project's CREATE TABLE types: columns left out are NULL, a value that does not fit is refused at its line",
  async (t) => {
    const dir = project(t, undefined, {
      ...SHOP,
      tests: { unit: { '02_totals.yaml': TOTALS_OK.replace('      2,  4\n', '      2,  four\n') } },
    });
    const run = await cli(dir, ['test', '--unit']);
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      /error: raw_events: "four" in column amount is not a DECIMAL\(10,2\)\n  at tests\/unit\/02_totals\.yaml:10\n  hint: give a DECIMAL\(10,2\) value, or NULL/,
    );
  },
);

const BROKEN: Array<[string, string, string, RegExp]> = [
  [
    'not YAML',
    '02_totals.yaml',
    'a:\n  b: 1\n   c: 2\n',
    /error: the file is not valid YAML: Nested mappings are not allowed in compact mappings\n  at tests\/unit\/02_totals\.yaml:2\n/,
  ],
  [
    'a row with a missing cell',
    '02_totals.yaml',
    TOTALS_OK.replace('      1,  NULL\n', '      1\n'),
    /error: this row has 1 cell, the header 2\n  at tests\/unit\/02_totals\.yaml:9\n  hint: give every column a cell \(id,amount\); NULL for none, "" for an empty string/,
  ],
  [
    'an unknown key',
    '02_totals.yaml',
    TOTALS_OK.replace('  timezone:', '  timzone:'),
    /error: unknown key "timzone" in test sums_per_id\n  at tests\/unit\/02_totals\.yaml:3\n  hint: a test takes: description, vars, now, timezone, batch, files, given, expect/,
  ],
  [
    'a file named after no step',
    '02_total.yaml',
    TOTALS_OK,
    /error: no step 02_total: a unit test file is named after the step it tests\n  at tests\/unit\/02_total\.yaml\n  hint: did you mean tests\/unit\/02_totals\.yaml\?/,
  ],
  [
    'a time that is no time',
    '02_totals.yaml',
    TOTALS_OK.replace('2024-03-01 00:30:00', 'soon'),
    /error: now: "soon" \/ timezone: "Europe\/Paris" is not a time DuckDB can read: .*\n  at tests\/unit\/02_totals\.yaml:1/,
  ],
  [
    'batch: on a step that is not incremental',
    '02_totals.yaml',
    TOTALS_OK.replace('  given:', '  batch: { id: 2 }\n  given:'),
    /error: batch: applies to incremental steps only, and 02_totals is not one/,
  ],
  [
    'an input package.json does not declare',
    '01_load.yaml',
    'x:\n  batch: { id: 1, files: { clicks: { a.csv: "id\\n1\\n" } } }\n  expect:\n    raw_events: "id\\n"\n',
    /error: batch\.files names input "clicks", which package\.json does not declare\n  at tests\/unit\/01_load\.yaml:1\n  hint: declared inputs: events/,
  ],
  [
    'an expected column the table does not have',
    '02_totals.yaml',
    TOTALS_OK.replace('id, amount, n, at,', 'id, amount, n, when,').replace('key: id', 'key: id'),
    /error: expect totals: the step's totals has no column "when" \(it has id, amount, n, at, day, started, factor\)\n  at tests\/unit\/02_totals\.yaml:15/,
  ],
  [
    'a key that is not a column',
    '02_totals.yaml',
    TOTALS_OK.replace('key: id', 'key: [id, sku]'),
    /error: the key of totals names column "sku", which its rows do not have\n  at tests\/unit\/02_totals\.yaml:13/,
  ],
];

for (const [what, file, text, message] of BROKEN) {
  t.test(`a fixture with ${what} is that test's error at its file:line, exit 1`, async (t) => {
    const dir = project(t, undefined, { ...SHOP, tests: { unit: { [file]: text } } });
    const run = await cli(dir, ['test', '--unit']);
    t.equal(run.exitCode, 1, run.stdout + run.stderr);
    t.match(run.stdout, message);
    t.equal(run.stderr, '', 'no stack trace');
  });
}

t.test(
  'create-test makes a test from the warehouse for some keys, and it round-trips: written, run, passing',
  async (t) => {
    const dir = project(t, undefined, SHOP);
    const early = await cli(dir, ['create-test', '02_totals']);
    t.equal(early.exitCode, 2);
    t.match(
      early.stderr,
      /ducksteps: cannot read the tables 02_totals reads from the warehouse: the warehouse .*warehouse\.duckdb does not exist yet\n  create-test reads what a run built: run the pipeline \(\.\/run\.sh\) first, and check --db/,
    );
    t.equal((await cli(dir, ['--only', '02_totals'])).exitCode, 1, 'a warehouse without a batch');
    t.match(
      (await cli(dir, ['create-test', '01_load'])).stderr,
      'ducksteps: step 01_load has committed no batch yet\n  run the pipeline first (./run.sh)',
    );
    t.equal((await cli(dir)).exitCode, 0);
    const made = await cli(dir, ['create-test', '02_totals', '--where', 'id IN (1)', '--name', 'id_one']);
    t.equal(made.exitCode, 0, made.stdout + made.stderr);
    t.match(
      made.stdout,
      'wrote tests/unit/02_totals.yaml: test id_one\n  given raw_events: 2 rows (of 3)\n  expect totals: 1 row\nit passes as written',
    );
    const yaml = readFileSync(join(dir, 'tests/unit/02_totals.yaml'), 'utf8');
    t.match(
      yaml,
      '    # 2 of 3 rows: (id IN (1))\n    raw_events: |\n      batch_id,file,id,amount\n      1,e1.csv,1,2.50\n      1,e1.csv,1,1.50\n',
    );
    t.match(yaml, /  expect:\n    totals: \|\n      id,amount,n,at,day,started,factor\n      1,4.00,2,/);
    const run = await cli(dir, ['test', '--unit', '--select', '02_totals']);
    t.equal(run.exitCode, 0, run.stdout);
    const again = await cli(dir, ['create-test', '02_totals', '--where', 'id IN (1)', '--name', 'id_one']);
    t.equal(again.exitCode, 2);
    t.match(
      again.stderr,
      'ducksteps: tests/unit/02_totals.yaml already has a test named id_one\n  choose another with --name',
    );
    const bad = await cli(dir, ['create-test', '02_totals', '--where', 'id IN (1']);
    t.match(bad.stderr, /ducksteps: --where "id IN \(1" does not parse: syntax error at end of input/);
  },
);

t.test(
  "the example's unit tests pass, --select picks a step's, and changing a reject reason fails a named test with a readable diff",
  async (t) => {
    const dir = exampleCopy(t.testdir());
    const all = await cli(dir, ['test', '--unit']);
    t.equal(all.exitCode, 0, all.stdout);
    t.match(all.stdout, /✔ unit tests: 5 passed/);
    t.match((await cli(dir, ['test', '--unit', '--select', '05_aggregate'])).stdout, /✔ unit tests: 2 passed/);
    const sql = join(dir, 'sql/03_quality/01_typed_orders.sql');
    writeFileSync(sql, read(sql).replace("THEN 'non_positive_quantity'", "THEN 'bad_quantity'"));
    const run = await cli(dir, ['test', '--unit', '--select', '03_quality']);
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      [
        '✘ 03_quality › one_reason_per_rejected_row (tests/unit/03_quality.yaml:5) failed',
        '  core.rejected_orders: 10 rows expected, 10 actual; 1 changed (key source_row), 0 only expected, 0 only actual',
        '      source_row | order_id | reject_reason',
        '    ~ 4          | 104      | non_positive_quantity → bad_quantity',
      ].join('\n'),
    );
    t.notOk(existsSync(join(dir, 'data/warehouse.duckdb')));
  },
);
