import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, query, readCsv } from './helpers.js';

const three = {
  sql: {
    '01_a': { 'a.sql': 'CREATE OR REPLACE TABLE a AS SELECT {{ vars.n | default(1) }} AS n;' },
    '02_b': { 'b.sql': 'CREATE OR REPLACE TABLE b AS SELECT n + 1 AS n FROM a;' },
    '03_c': { 'c.sql': 'CREATE OR REPLACE TABLE c AS SELECT n + 1 AS n FROM b;' },
  },
};
const stepsOf = async (dir: string, runId?: string) =>
  (await readCsv(join(dir, 'logs/run_log.csv')))
    .filter((r) => !runId || r.run_id === runId)
    .map((r) => `${r.step}:${r.status}`);
const lastRunId = async (dir: string) => (await readCsv(join(dir, 'logs/run_log.csv'))).pop()!.run_id as string;

t.test('--from, --to and --only pick steps by number, name or folder name', async (t) => {
  const dir = project(t, undefined, three);
  t.equal((await cli(dir)).exitCode, 0);
  await cli(dir, ['--only', 'b', '--recheck']); // --recheck: the steps run (nothing they read changed)
  t.same(await stepsOf(dir, await lastRunId(dir)), ['02_b:ok', 'tests:ok']);
  await cli(dir, ['--from', '2', '--recheck']);
  t.same(await stepsOf(dir, await lastRunId(dir)), ['02_b:ok', '03_c:ok', 'tests:ok']);
  await cli(dir, ['--to', '02_b', '--recheck']);
  t.same(await stepsOf(dir, await lastRunId(dir)), ['01_a:ok', '02_b:ok', 'tests:ok']);
  const bad = await cli(dir, ['--only', 'bb']);
  t.equal(bad.exitCode, 2);
  t.match(bad.stderr, /--only bb: no such step\n\s+did you mean 02_b\?/);
});

t.test(
  "--resume starts at the failed step with the last run's vars, and refuses when there is nothing to resume",
  async (t) => {
    const dir = project(t, undefined, three);
    const c = join(dir, 'sql/03_c/c.sql');
    const good = readFileSync(c, 'utf8');
    writeFileSync(c, 'CREATE TABLE c AS SELECT nope FROM b;');
    t.equal((await cli(dir, ['--var', 'n=40'])).exitCode, 1);
    writeFileSync(c, good);
    const resumed = await cli(dir, ['--resume']);
    t.equal(resumed.exitCode, 0, resumed.stdout);
    t.same(await stepsOf(dir, await lastRunId(dir)), ['03_c:ok', 'tests:ok'], 'only the failed step ran');
    t.same(
      await query(join(dir, 'data/warehouse.duckdb'), 'SELECT n FROM c'),
      [{ n: 42 }],
      'with the vars of the failed run',
    );
    const again = await cli(dir, ['--resume']);
    t.equal(again.exitCode, 2);
    t.match(again.stderr, /nothing to resume: the last run .* succeeded/);
  },
);

t.test('--resume refuses when the steps changed since the failed run', async (t) => {
  const dir = project(t, undefined, { sql: { ...three.sql, '03_c': { 'c.sql': 'SELECT nope;' } } });
  t.equal((await cli(dir)).exitCode, 1);
  writeFileSync(join(dir, 'sql/03_c/c.sql'), 'SELECT 1;');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'sql/04_d'));
  writeFileSync(join(dir, 'sql/04_d/d.sql'), 'SELECT 1;');
  const run = await cli(dir, ['--resume']);
  t.equal(run.exitCode, 2);
  t.match(run.stderr, /cannot resume run .*: the steps changed since \(added: 04_d; removed: none\)/);
});

t.test('--json prints one JSON document on stdout and progress on stderr', async (t) => {
  const dir = project(t, 'bad-sql');
  const run = await cli(dir, ['--json']);
  t.equal(run.exitCode, 1);
  const doc = JSON.parse(run.stdout);
  t.match(doc, {
    status: 'failed',
    steps: [
      { step: '01_setup', status: 'ok' },
      { step: '02_transform', status: 'failed', error: { location: 'sql/02_transform/02_second.sql:4' } },
      { step: '03_after', status: 'skipped' },
    ],
  });
  t.match(run.stderr, /✔ 01_setup ok/);
  const list = JSON.parse((await cli(dir, ['list', '--json'])).stdout);
  t.match(list.steps, [
    { step: '01_setup', files: 1, script: false, last_status: 'ok' },
    { step: '02_transform', last_status: 'failed' },
    { step: '03_after' },
  ]);
  const test = await cli(project(t, 'ok'), ['test', '--json']);
  t.same(JSON.parse(test.stdout).steps, [], 'test --json is JSON too');
});

t.test('--json includes what was published', async (t) => {
  const dir = project(t, 'ok', {
    publish: { '01_totals.sql': '-- publish: file output/totals.csv\nSELECT * FROM totals' },
  });
  const run = await cli(dir, ['--json']);
  t.equal(run.exitCode, 0, run.stderr);
  t.match(JSON.parse(run.stdout).publish, [{ destination: 'output/totals.csv', status: 'ok', rows: 1 }]);
});

t.test('list shows steps with last status', async (t) => {
  const dir = project(t, 'ok');
  await cli(dir);
  const run = await cli(dir, ['list']);
  t.equal(run.exitCode, 0);
  t.match(run.stdout, /│ 1 │ 01_load +│ 1 +│ no +│ no +│ ok +│ \d+\.\d\d s/); // sql files, script, incremental, last status, duration
});

t.test('compile renders and parses everything, reporting every error with file:line in one pass', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_a': { 'a.sql': 'SELECT 1;\nSELEC 2;\n', 'b.sql': 'SELECT {{ vars.nope }};' },
      '02_b': { 'c.sql': 'SELECT 1;\n\nSELECT (1;' },
    },
    tests: { 't.sql': 'SELECT * FROM t WHERE;' },
  });
  const run = await cli(dir, ['compile']);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /at sql\/01_a\/a\.sql:2/);
  t.match(run.stdout, /undefined value in \{\{ vars\.nope \}\}\n\s+at sql\/01_a\/b\.sql:1/);
  t.match(run.stdout, /at sql\/02_b\/c\.sql:3/);
  t.match(run.stdout, /at tests\/t\.sql:1/);
  t.match(run.stdout, /4 files, 2 statements parsed, 4 errors/);
  t.notOk(existsSync(join(dir, 'data/warehouse.duckdb')), 'no database was created');
  t.ok(existsSync(join(dir, 'logs/compiled/01_a/a.sql')));
  t.equal((await cli(dir, ['--dry-run'])).exitCode, 1, '--dry-run is compile');
  t.equal((await cli(project(t, 'ok'), ['compile'])).exitCode, 0);
});

t.test('SQL errors point at the source line: line 1, mid-file, after {% if %}, inside a macro', async (t) => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['line 1', { 'a.sql': 'SELECT nope_col;' }, 'sql/01_a/a.sql:1'],
    ['mid-file', { 'a.sql': 'SELECT 1;\n-- two\nSELECT 2;\n\nSELECT\n  1,\n  nope_col\n;' }, 'sql/01_a/a.sql:7'],
    [
      'after if',
      {
        'a.sql':
          '{% if true %}\nSELECT 1;\n{% endif %}\n{% if false %}\nSELECT 0;\n{% endif %}\nSELECT {{ 1 + 1 }},\n  nope_col;',
      },
      'sql/01_a/a.sql:8',
    ],
    [
      'macro',
      { 'a.sql': '{% import "macros/m.sql" as m %}\nSELECT 1;\n\n{{ m.bad() }}\nSELECT 3;' },
      'sql/01_a/a.sql:4',
    ],
  ];
  for (const [name, files, where] of cases) {
    const dir = project(t, undefined, {
      sql: { '01_a': files, macros: { 'm.sql': '{% macro bad() %}\nSELECT 2,\n  nope_col;\n{% endmacro %}' } },
    });
    const run = await cli(dir);
    t.match(run.stdout, new RegExp(`at ${where.replace(/\./g, '\\.')}\\n`), name);
    t.match(run.stdout, /compiled SQL: logs\/compiled\/01_a\/a\.sql:\d+/, `${name}: compiled location too`);
    if (name === 'macro')
      t.match(
        run.stdout,
        /\s+4 \| SELECT 2,\n\s+>\s+· \|\s+nope_col/,
        "a macro's lines: its call line numbered once, the rest marked ·",
      );
  }
});

t.test('logs compares the last run with the median of earlier runs and lists the slowest statements', async (t) => {
  const dir = project(t, undefined, { sql: { '01_a': { 'a.sql': 'CREATE OR REPLACE TABLE a AS SELECT 1 AS x;' } } });
  for (let i = 0; i < 3; i++) await cli(dir, ['--recheck']); // each run runs its step
  const log = join(dir, 'logs/run_log.csv');
  const text = readFileSync(log, 'utf8').split('\r\n');
  const lastStep = text.findLastIndex((l) => l.includes(',01_a,ok,'));
  const cells = text[lastStep].split(',');
  cells[5] = String(Number(cells[5]) * 10 + 1000);
  text[lastStep] = cells.join(',');
  writeFileSync(log, text.join('\r\n'));
  const run = await cli(dir, ['logs', '--runs', '5']);
  t.equal(run.exitCode, 0);
  t.match(run.stdout, /each step's latest run, compared with the median of its up to 5 earlier runs/);
  t.match(run.stdout, /01_a +│ last +│ ok +│ [\d.]+ s +│ [\d.]+ s +│ [\d.]+× │ slower \(≥ 1\.5×\)/);
  t.match(run.stdout, /sql\/01_a\/a\.sql:1 +│ CREATE_TABLE/);
  t.match((await cli(dir, ['logs', '--step', 'a'])).stdout, /01_a/);
  t.equal((await cli(dir, ['logs', '--runs', 'x'])).exitCode, 2);
});

t.test('logs compares a run only with earlier runs of the same warehouse (--db), and names it', async (t) => {
  const dir = project(t, undefined, { sql: { '01_a': { 'a.sql': 'CREATE OR REPLACE TABLE a AS SELECT 1 AS x;' } } });
  for (const db of [
    [],
    [],
    ['--db', 'data/other.duckdb'],
    ['--db', 'data/other.duckdb'],
    ['--db', 'data/other.duckdb'],
    [],
  ])
    t.equal((await cli(dir, db)).exitCode, 0);
  // the other warehouse's runs and the last run all take 10× + 1 s: only against the first two is the last slower
  const log = join(dir, 'logs/run_log.csv');
  const lines = readFileSync(log, 'utf8').split('\r\n');
  const runs = [...new Set(lines.filter((l) => l.includes(',01_a,ok,')).map((l) => l.split(',')[0]))];
  const slowed = new Set(runs.slice(2));
  writeFileSync(
    log,
    lines
      .map((l) => {
        const cells = l.split(',');
        if (!slowed.has(cells[0]) || cells[1] !== '01_a') return l;
        cells[5] = String(Number(cells[5]) * 10 + 1000);
        return cells.join(',');
      })
      .join('\r\n'),
  );
  const run = await cli(dir, ['logs']);
  t.match(run.stdout, /^last run \S+ on data\/warehouse\.duckdb; .* earlier runs on that warehouse/);
  t.match(run.stdout, /01_a +│ last +│ ok +│ [\d.]+ s +│ [\d.]+ s +│ [\d.]+× │ slower \(≥ 1\.5×\)/);
  t.equal((await cli(dir, ['--db', 'data/other.duckdb'])).exitCode, 0);
  t.match((await cli(dir, ['logs'])).stdout, /^last run \S+ on data\/other\.duckdb;/);
});

t.test('logs after --only shows the latest status of every step, naming the run each comes from', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_a': { 'a.sql': 'CREATE OR REPLACE TABLE a AS SELECT 1 AS x;' },
      '02_b': { 'b.sql': 'CREATE OR REPLACE TABLE b AS SELECT 2 AS y;' },
    },
  });
  t.equal((await cli(dir)).exitCode, 0);
  const first = (await readCsv(join(dir, 'logs/run_log.csv')))[0].run_id as string;
  t.equal((await cli(dir, ['--only', 'b', '--recheck'])).exitCode, 0);
  const run = await cli(dir, ['logs']);
  t.match(run.stdout, new RegExp(`01_a +│ ${first} +│ ok`), 'the step --only left out, from the run that last ran it');
  t.match(run.stdout, /02_b +│ last +│ ok/);
});

t.test('docs writes docs/pipeline.md with lineage from the SQL, the same each time', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_load': {
        'a.sql': '-- Load the numbers.\nCREATE SCHEMA s;\nCREATE TABLE s.numbers AS SELECT * FROM range(3);',
      },
      '02_use': {
        'b.sql':
          '-- Double them.\nCREATE TABLE s.doubled AS WITH q AS (SELECT * FROM s.numbers) SELECT range * 2 AS v FROM q;',
      },
      '03_more': {
        'c.sql':
          "-- ducksteps: no-transaction\n-- Files in and out.\nCREATE TABLE s.matched AS SELECT d.v FROM s.doubled AS d JOIN s.numbers AS n ON d.v IS NOT DISTINCT FROM n.range;\nCOPY s.matched TO 'out/matched.csv';\nCREATE TABLE s.loaded AS SELECT * FROM read_csv(['in/a.csv', 'in/b.csv'], store_rejects = true, rejects_table = 'bad_rows');",
      },
    },
    steps: { '03_more.ts': '// Writes the input files the step reads.\nexport function before() {}\n' },
  });
  await cli(dir);
  t.equal((await cli(dir, ['docs'])).exitCode, 0);
  const first = readFileSync(join(dir, 'docs/pipeline.md'), 'utf8');
  await cli(dir, ['docs']);
  t.equal(readFileSync(join(dir, 'docs/pipeline.md'), 'utf8'), first, 'idempotent');
  t.match(first, 's_01_load --> t_s_numbers');
  t.match(first, 't_s_numbers --> s_02_use');
  t.match(first, 's_02_use --> t_s_doubled');
  t.notMatch(first, /t_q\b|t_range/, 'CTEs and table functions are not tables');
  t.match(first, '| 02_use | `sql/02_use/b.sql` | Double them. |');
  t.match(
    first,
    '| | `steps/03_more.ts` | script: Writes the input files the step reads. |',
    "a script's // comment describes it",
  );
  t.notMatch(
    first,
    /n\.range|t_bad_rows|ducksteps: no-transaction/,
    'no table from IS NOT DISTINCT FROM, no rejects table, no directive as description',
  );
  t.match(first, 'f_in_a_csv --> s_03_more');
  t.match(first, 's_03_more --> f_out_matched_csv');
  t.notMatch(first, /\| 01_load \| ok \|/, 'no run data: the page changes only when the SQL does');
  await cli(dir);
  await cli(dir, ['docs']);
  t.equal(readFileSync(join(dir, 'docs/pipeline.md'), 'utf8'), first, 'another run does not change it');
  const help = (await cli(dir, ['docs', '--help'])).stdout;
  t.match(help, 'It holds no run data', 'the help says what the page holds');
  t.notMatch(help, /last run/);
});

t.test('new creates the next-numbered step after gaps and refuses bad or duplicate names', async (t) => {
  const dir = project(t, undefined, { sql: { '01_a': { 'a.sql': 'SELECT 1;' }, '05_e': { 'e.sql': 'SELECT 1;' } } });
  const run = await cli(dir, ['new', 'report', '--script']);
  t.equal(run.exitCode, 0, run.stderr);
  t.ok(existsSync(join(dir, 'sql/06_report/01_main.sql')));
  t.ok(existsSync(join(dir, 'steps/06_report.ts')));
  t.equal((await cli(dir)).exitCode, 0, 'the new step and its script run');
  t.match((await cli(dir, ['new', 'report'])).stderr, /a step named "report" already exists: sql\/06_report/);
  const bad = await cli(dir, ['new', 'Bad-Name']);
  t.equal(bad.exitCode, 2);
  t.match(bad.stderr, /step name "Bad-Name" is not valid/);
});
