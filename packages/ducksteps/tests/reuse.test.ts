// A run does not repeat a check whose answer it knows: an assertion that passed on the same, unchanged
// warehouse file, a unit test whose every input is that of a pass. Anything that could change the answer
// (a step's commit, a write from outside, changed SQL, the clock) makes it run again.
import t, { type Test } from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
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
      /✔ 3 assertions: 3 passed \(2 not run again: passed on this same warehouse, unchanged since\)/,
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
