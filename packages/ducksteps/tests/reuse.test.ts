// A run does not repeat a check whose answer it knows: an assertion that passed on the same, unchanged
// warehouse file, a unit test whose every input is that of a pass. Anything that could change the answer
// (a step's commit, a write from outside, changed SQL, the clock) makes it run again.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../lib/engines/duckdb/database.js';
import { cli, project, readCsv } from './helpers.js';

const SETTINGS = JSON.stringify({ name: 'reuse', ducksteps: { inputs: { events: 'data/landing/ev/*.csv' } } });
const LOAD = `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS events (batch_id INTEGER, id INTEGER, v INTEGER);
INSERT INTO events SELECT {{ batch.id }}, id, v FROM read_csv({{ batch.files.events }}, header = true, columns = {'id': 'INTEGER', 'v': 'INTEGER'});`;
const TESTS = {
  'events.sql':
    '-- name: v_positive\nSELECT * FROM events WHERE v <= 0;\n-- name: ids_unique\nSELECT id FROM events GROUP BY id HAVING count(*) > 1;',
  'clock.sql':
    "-- name: not_from_the_future\nSELECT * FROM events WHERE batch_id > 0 AND now() < TIMESTAMP '2000-01-01';",
};
const UNIT = `loads_the_batch:
  batch: { id: 2, files: { events: { a.csv: "id,v\\n1,5\\n" } } }
  given:
    events: |
      batch_id, id, v
  expect:
    events: |
      batch_id, id, v
      2,        1,  5
`;

function eventsProject(t: Test) {
  const dir = project(t, undefined, {
    'package.json': SETTINGS,
    sql: { '01_load': { '01.sql': LOAD } },
    tests: { ...TESTS, unit: { '01_load.yaml': UNIT } },
  });
  mkdirSync(join(dir, 'data/landing/ev'), { recursive: true });
  writeFileSync(join(dir, 'data/landing/ev/a.csv'), 'id,v\n1,10\n2,20\n');
  return dir;
}

/** This run's rows of logs/tests.csv: test -> the run it reused ('' when it ran). */
async function reusedOf(dir: string, runId: string) {
  const rows = (await readCsv(join(dir, 'logs/tests.csv'))).filter((r) => r.run_id === runId);
  return Object.fromEntries(rows.map((r) => [r.test, r.reused_from ?? '']));
}
const runIdOf = (stdout: string) => stdout.match(/\(run (\S+)\)/)![1];

t.test(
  'a run with nothing new runs again neither the assertions that passed on the unchanged warehouse nor the unit tests with unchanged inputs',
  async (t) => {
    const dir = eventsProject(t);
    const first = await cli(dir);
    t.equal(first.exitCode, 0, first.stdout);
    const one = runIdOf(first.stdout);
    t.same(
      await reusedOf(dir, one),
      { v_positive: '', ids_unique: '', not_from_the_future: '', '01_load › loads_the_batch': '' },
      'the first run runs everything',
    );
    const again = await cli(dir);
    t.equal(again.exitCode, 0, again.stdout);
    t.match(
      again.stdout,
      /✔ unit tests: 1 passed in [\d.]+ s \(all with the inputs of an earlier pass: not run again\)/,
    );
    t.match(
      again.stdout,
      /✔ 3 assertions: 3 passed \(2 not run again: checked on this same warehouse, unchanged since\)/,
    );
    t.same(
      await reusedOf(dir, runIdOf(again.stdout)),
      { v_positive: one, ids_unique: one, not_from_the_future: '', '01_load › loads_the_batch': one },
      'tests.csv names the run that checked each reused pass; an assertion reading the clock always runs',
    );
    const recheck = await cli(dir, ['--recheck']);
    t.equal(recheck.exitCode, 0);
    t.same(Object.values(await reusedOf(dir, runIdOf(recheck.stdout))), ['', '', '', ''], '--recheck runs everything');
    const test = await cli(dir, ['test']);
    t.equal(test.exitCode, 0);
    t.same(
      Object.values(await reusedOf(dir, runIdOf(test.stdout))),
      ['', '', ''],
      './run.sh test runs every assertion',
    );
  },
);

t.test(
  'a write to the warehouse from outside ducksteps makes the assertions run again, and a failure is found',
  async (t) => {
    const dir = eventsProject(t);
    t.equal((await cli(dir)).exitCode, 0);
    const db = await openDatabase(join(dir, 'data/warehouse.duckdb'));
    await db.run('UPDATE events SET v = -1 WHERE id = 1');
    db.close();
    const run = await cli(dir);
    t.equal(run.exitCode, 1, 'the bad row is found');
    t.match(run.stdout, /✘ 3 assertions: 2 passed, 1 failed\n/, 'none reused');
    t.match(run.stdout, /✘ v_positive \(tests\/events\.sql:2\): 1 offending row/);
  },
);

t.test('a new batch, a changed assertion or a changed step make what they touch run again', async (t) => {
  const dir = eventsProject(t);
  t.equal((await cli(dir)).exitCode, 0);
  writeFileSync(join(dir, 'data/landing/ev/b.csv'), 'id,v\n2,30\n');
  const batch = await cli(dir);
  t.equal(batch.exitCode, 1, 'the new batch is checked inside its step: id 2 twice');
  t.match(batch.stdout, /ids_unique \(tests\/events\.sql:4\) found 1 offending row/);
  writeFileSync(join(dir, 'data/landing/ev/b.csv'), 'id,v\n3,30\n');
  t.equal((await cli(dir)).exitCode, 0, 'the fixed file loads');
  const original = TESTS['events.sql'];
  writeFileSync(join(dir, 'tests/events.sql'), original.replace('v <= 0', 'v <= 10'));
  const changed = await cli(dir);
  t.equal(changed.exitCode, 1, 'the changed assertion ran on the unchanged warehouse');
  t.match(changed.stdout, /✘ v_positive \(tests\/events\.sql:2\): 1 offending row/);
  writeFileSync(join(dir, 'tests/events.sql'), original);
  writeFileSync(join(dir, 'sql/01_load/01.sql'), LOAD.replace('id, v FROM', 'id, v + 1 AS v FROM'));
  const step = await cli(dir);
  t.equal(step.exitCode, 1, 'the unit test of the changed step ran again, and fails');
  t.match(step.stdout, /✘ unit tests: 0 passed, 1 failed/);
});

/** A project whose assertions reach outside the warehouse through what DuckDB binds, not through their text. */
function reachingProject(t: Test) {
  const dir = eventsProject(t);
  writeFileSync(
    join(dir, 'sql/01_load/01.sql'),
    `${LOAD}
CREATE OR REPLACE VIEW limits AS SELECT * FROM read_csv('data/limits.csv');
CREATE OR REPLACE VIEW latest AS SELECT max(batch_id) AS batch, now() AS checked_at FROM events;
CREATE OR REPLACE MACRO too_big(x) AS x > (SELECT max(lim) FROM limits);`,
  );
  writeFileSync(join(dir, 'data/limits.csv'), 'id,lim\n1,100\n2,100\n');
  writeFileSync(
    join(dir, 'tests/unit/01_load.yaml'),
    UNIT.replace('  given:', '  files: { data/limits.csv: "id,lim\\n1,100\\n" }\n  given:'),
  );
  writeFileSync(
    join(dir, 'tests/reach.sql'),
    [
      '-- name: through_a_view\nSELECT * FROM events JOIN limits USING (id) WHERE v > lim;',
      "-- name: joins_a_file\nSELECT * FROM events e JOIN 'data/limits.csv' l ON e.id = l.id WHERE e.v > l.lim;",
      '-- name: through_a_macro\nSELECT * FROM events WHERE too_big(v);',
      "-- name: clock_through_a_view\nSELECT * FROM latest WHERE checked_at < TIMESTAMPTZ '2000-01-01';",
      "-- name: local_clock\nSELECT * FROM events WHERE current_localtimestamp() < TIMESTAMP '2000-01-01';",
      '-- name: sampled\nSELECT * FROM events TABLESAMPLE 50% WHERE v < 0;',
    ].join('\n'),
  );
  return dir;
}

t.test(
  'an assertion reading a file (through a view, a macro or a JOIN on a path), the clock (through a view, or current_localtimestamp) or a sample runs on every run; a changed file is found',
  async (t) => {
    const dir = reachingProject(t);
    const first = await cli(dir);
    t.equal(first.exitCode, 0, first.stdout);
    const again = await cli(dir);
    t.equal(again.exitCode, 0, again.stdout);
    const one = runIdOf(first.stdout);
    t.same(
      await reusedOf(dir, runIdOf(again.stdout)),
      {
        v_positive: one,
        ids_unique: one,
        not_from_the_future: '',
        through_a_view: '',
        joins_a_file: '',
        through_a_macro: '',
        clock_through_a_view: '',
        local_clock: '',
        sampled: '',
        '01_load › loads_the_batch': one,
      },
      'only the assertions on the warehouse alone are reused',
    );
    writeFileSync(join(dir, 'data/limits.csv'), 'id,lim\n1,5\n2,5\n');
    const changed = await cli(dir);
    t.equal(changed.exitCode, 1, 'the new limits are checked on the unchanged warehouse');
    for (const name of ['through_a_view', 'joins_a_file', 'through_a_macro'])
      t.match(changed.stdout, new RegExp(`✘ ${name} \\(tests/reach\\.sql:\\d+\\): \\d offending rows?`));
  },
);

/** The warehouse after an UPDATE from outside, as a copy (a same-shaped UPDATE gives a file of the same size). */
async function updated(path: string, sql: string): Promise<Buffer> {
  const copy = `${path}.copy`;
  copyFileSync(path, copy);
  const db = await openDatabase(copy);
  await db.run(sql);
  db.close();
  return readFileSync(copy);
}

/** Sets a file's modification time to the nanosecond. */
const setMtime = (path: string, ns: bigint) =>
  execFileSync('touch', ['-m', '-d', `@${ns / 10n ** 9n}.${String(ns % 10n ** 9n).padStart(9, '0')}`, path]);

t.test(
  'a warehouse file rewritten in place with its old size, inode and modification time makes the assertions run again',
  async (t) => {
    const dir = eventsProject(t);
    t.equal((await cli(dir)).exitCode, 0);
    const path = join(dir, 'data/warehouse.duckdb');
    const good = await updated(path, 'UPDATE events SET v = 7 WHERE id = 1');
    const bad = await updated(path, 'UPDATE events SET v = -1 WHERE id = 1');
    writeFileSync(path, good);
    t.equal((await cli(dir)).exitCode, 0, 'the assertions pass on the good file');
    const before = statSync(path, { bigint: true });
    writeFileSync(path, bad); // the same inode, its bytes replaced
    setMtime(path, before.mtimeNs);
    const after = statSync(path, { bigint: true });
    t.same(
      [after.ino, after.size, after.mtimeNs],
      [before.ino, before.size, before.mtimeNs],
      'nothing but ctime tells',
    );
    const run = await cli(dir, ['--verbose']);
    t.equal(run.exitCode, 1, 'the bad row is found');
    t.match(run.stdout, /▶ tests: 3 assertions after the steps\n/, 'none reused');
    t.match(run.stdout, /✘ v_positive \(tests\/events\.sql:2\): 1 offending row/);
  },
);

t.test('a warning is reused as the same warning, never as a pass, and runs again once the table changes', async (t) => {
  const dir = eventsProject(t);
  writeFileSync(
    join(dir, 'tests/warn.sql'),
    '-- name: big_values\n-- severity: warn\nSELECT * FROM events WHERE v > 15;',
  );
  const first = await cli(dir);
  t.equal(first.exitCode, 0, first.stdout);
  const again = await cli(dir);
  t.equal(again.exitCode, 0, again.stdout);
  t.match(again.stdout, /✔ 4 assertions: 3 passed, 1 warning \(3 not run again: checked on this same warehouse/);
  t.match(
    again.stdout,
    /! big_values: 1 offending row \(warn, tests\/warn\.sql:3\), it is in logs\/test_failures\/big_values\.csv/,
  );
  const rows = (await readCsv(join(dir, 'logs/tests.csv'))).filter((r) => r.run_id === runIdOf(again.stdout));
  t.match(
    rows.find((r) => r.test === 'big_values'),
    { status: 'warn', failing_rows: '1', reused_from: runIdOf(first.stdout) },
    'not run again, and still the warning it was',
  );
  t.equal(
    readFileSync(join(dir, 'logs/test_failures/big_values.csv'), 'utf8').replace(/\r\n/g, '\n'),
    'batch_id,id,v\n1,2,20\n',
    'its offending rows are where the first run put them',
  );
  writeFileSync(join(dir, 'data/landing/ev/b.csv'), 'id,v\n3,30\n');
  const third = await cli(dir);
  t.equal(third.exitCode, 0, third.stdout);
  const now = (await readCsv(join(dir, 'logs/tests.csv'))).filter((r) => r.run_id === runIdOf(third.stdout));
  t.match(
    now.find((r) => r.test === 'big_values'),
    { status: 'warn', failing_rows: '2', reused_from: null },
  );
});

t.test(
  'a unit test runs again when a module its step script imports (steps/lib/*.ts) changes, and its failure stops the run',
  async (t) => {
    const dir = eventsProject(t);
    mkdirSync(join(dir, 'sql/02_double'));
    writeFileSync(join(dir, 'sql/02_double/01.sql'), 'CREATE OR REPLACE TABLE doubled AS SELECT id, v FROM events;');
    mkdirSync(join(dir, 'steps/lib'), { recursive: true });
    writeFileSync(
      join(dir, 'steps/02_double.ts'),
      "import { factor } from './lib/factor.js';\nexport async function after(ctx: { db: { run(sql: string): Promise<unknown> } }) {\n  await ctx.db.run(`UPDATE doubled SET v = v * ${factor()}`);\n}\n",
    );
    writeFileSync(join(dir, 'steps/lib/factor.ts'), 'export const factor = () => 2;\n');
    writeFileSync(
      join(dir, 'tests/unit/02_double.yaml'),
      'doubles:\n  given:\n    events: |\n      batch_id, id, v\n      1,        1,  5\n  expect:\n    doubled: |\n      id, v\n      1,  10\n',
    );
    const first = await cli(dir);
    t.equal(first.exitCode, 0, first.stdout);
    const again = await cli(dir);
    t.match(
      again.stdout,
      /✔ unit tests: 2 passed in [\d.]+ s \(all with the inputs of an earlier pass: not run again\)/,
    );
    writeFileSync(join(dir, 'steps/lib/factor.ts'), 'export const factor = () => 3;\n');
    const changed = await cli(dir, ['--verbose']);
    t.equal(changed.exitCode, 1, 'the broken helper is found before the step runs');
    t.match(changed.stdout, /✘ unit tests: 1 passed, 1 failed in [\d.]+ s \(1 with the inputs of an earlier pass/);
    t.match(changed.stdout, /✘ 02_double › doubles \(tests\/unit\/02_double\.yaml:1\) failed/);
    t.match(changed.stdout, /02_double\s+│ skipped/, 'the step did not run on the warehouse');
  },
);

t.test('another time zone checks again: TIMESTAMPTZ casts and ICU functions answer by it', async (t) => {
  const dir = eventsProject(t);
  const first = await cli(dir, [], { TZ: 'UTC' });
  t.equal(first.exitCode, 0, first.stdout);
  const same = await cli(dir, [], { TZ: 'UTC' });
  t.match(await reusedOf(dir, runIdOf(same.stdout)), { v_positive: runIdOf(first.stdout) }, 'the same zone reuses');
  const tokyo = await cli(dir, [], { TZ: 'Asia/Tokyo' });
  t.equal(tokyo.exitCode, 0, tokyo.stdout);
  t.match(await reusedOf(dir, runIdOf(tokyo.stdout)), { v_positive: '', ids_unique: '' }, 'another zone runs them');
});
