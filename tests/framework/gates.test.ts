// Assertions gate the step that builds what they read: they run inside its transaction, before COMMIT.
import t from 'tap';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cli, project, query, readCsv } from './helpers.js';

const STEPS = {
  '01_people': { 'a.sql': 'CREATE OR REPLACE TABLE people AS SELECT * FROM (VALUES (1, {{ vars.age | default(30) | int }}), (2, 40)) AS v(id, age);' },
  '02_summary': { 'a.sql': 'CREATE OR REPLACE TABLE summary AS SELECT count(*) AS n FROM people;' },
  '03_other': { 'a.sql': 'CREATE OR REPLACE TABLE other AS SELECT 1 AS x;' },
};
const TESTS = {
  'ages.sql': '-- name: age_positive\nSELECT * FROM people WHERE age <= 0;\n-- name: age_plausible\n-- severity: warn\nSELECT * FROM people WHERE age > 120;',
  'both.sql': '-- name: summary_counts_people\nSELECT * FROM summary, (SELECT count(*) AS c FROM people) WHERE n <> c;',
  'free.sql': '-- name: no_tables\nSELECT 1 WHERE false;',
  'named.sql': '-- name: pinned\n-- step: 03_other\nSELECT * FROM people WHERE id IS NULL;',
};
const db = (dir: string) => join(dir, 'data/warehouse.duckdb');

t.test('an assertion runs before its step commits: an error failure rolls the step back and stops the build', async (t) => {
  const dir = project(t, undefined, { sql: STEPS, tests: TESTS });
  const good = await cli(dir);
  t.equal(good.exitCode, 0, good.stdout);
  t.match(good.stdout, /✔ 01_people ok in [\d.]+ s, 2 rows, 1 statement, 2 assertions gated it/);
  t.match(good.stdout, /✔ 02_summary ok in [\d.]+ s, 1 row, 1 statement, 1 assertion gated it/);
  t.match(good.stdout, /✔ 03_other ok in [\d.]+ s, 1 row, 1 statement, 1 assertion gated it/, '-- step: pins an assertion to a step');
  t.match(good.stdout, /▶ tests: 1 assertion after the steps/, 'an assertion that reads no step\'s tables runs after them');
  const bad = await cli(dir, ['--var', 'age=-5']);
  t.equal(bad.exitCode, 1);
  t.match(bad.stdout, /✘ 01_people failed[\s\S]*error: assertion gating this step failed: age_positive \(tests\/ages\.sql:2\) found 1 offending row[\s\S]*nothing of 01_people was committed/);
  t.match(bad.stdout, /✘ age_positive \(tests\/ages\.sql:2\): 1 offending row\n[\s\S]*-5/, 'the offending rows are shown');
  t.same(await query(db(dir), 'SELECT age FROM people ORDER BY id'), [{ age: 30 }, { age: 40 }], 'the database is exactly as before the step');
  const log = await readCsv(join(dir, 'logs/run_log.csv'));
  const last = log.filter((r) => r.run_id === log.at(-1)!.run_id).map((r) => `${r.step}:${r.status}`);
  t.same(last, ['01_people:failed', '02_summary:skipped', '03_other:skipped', 'tests:skipped'], 'later steps are skipped');
  const tests = (await readCsv(join(dir, 'logs/tests.csv'))).filter((r) => r.test === 'age_positive');
  t.same(tests.map((r) => [r.status, r.step]), [['pass', '01_people'], ['fail', '01_people']], 'tests.csv names the step an assertion gated');
});

t.test('a warn gate logs and commits', async (t) => {
  const dir = project(t, undefined, { sql: STEPS, tests: TESTS });
  const run = await cli(dir, ['--var', 'age=150']);
  t.equal(run.exitCode, 0);
  t.match(run.stdout, /! age_plausible \(tests\/ages\.sql:5\): 1 offending row/);
  t.same(await query(db(dir), 'SELECT max(age) AS m FROM people'), [{ m: 150 }]);
});

t.test('a gate on an incremental step: the failing batch never commits and stays pending', async (t) => {
  const load = "-- ducksteps: incremental\nCREATE TABLE IF NOT EXISTS ev (v INTEGER);\nINSERT INTO ev SELECT v FROM read_csv({{ batch.files.ev }}, header = true, columns = {'v': 'INTEGER'});";
  const dir = project(t, undefined, {
    'package.json': JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
    sql: { '01_load': { 'a.sql': load } }, tests: { 'positive.sql': 'SELECT * FROM ev WHERE v < 0;' },
  });
  mkdirSync(join(dir, 'data/landing'), { recursive: true });
  writeFileSync(join(dir, 'data/landing/a.csv'), 'v\n1\n');
  t.equal((await cli(dir)).exitCode, 0);
  writeFileSync(join(dir, 'data/landing/b.csv'), 'v\n-1\n');
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /✘ 01_load batch 2 \(1 file\) failed[\s\S]*assertion gating this step failed: positive/);
  t.same(await query(db(dir), 'SELECT count(*) AS n FROM ducksteps.loaded_files'), [{ n: 1 }], 'b.csv is still pending');
  const list = await cli(dir, ['list']);
  t.match(list.stdout, /ev\s+│ data\/landing\/\*\.csv\s+│ 1\s+│ 0\s+│ 1\s+│ data\/landing\/b\.csv/);
});

t.test('./run.sh test still runs every assertion, read-only; list shows which assertions gate which step', async (t) => {
  const dir = project(t, undefined, { sql: STEPS, tests: TESTS });
  t.equal((await cli(dir)).exitCode, 0);
  const run = await cli(dir, ['test']);
  t.equal(run.exitCode, 0);
  for (const name of ['age_positive', 'age_plausible', 'summary_counts_people', 'no_tables', 'pinned']) t.match(run.stdout, new RegExp(`${name}\\s+│`), name);
  const one = await cli(dir, ['test', '--select', 'people']);
  t.equal(one.exitCode, 0);
  t.match(one.stdout, /age_positive\s+│/);
  t.notMatch(one.stdout, /summary_counts_people|no_tables|pinned/, 'test --select X runs the assertions gating X');
  const list = await cli(dir, ['list']);
  t.match(list.stdout, /01_people\s+│.*│ age_positive, age_plausible\s+│/);
  t.match(list.stdout, /02_summary\s+│.*│ summary_counts_people\s+│/);
  t.match(list.stdout, /after the steps: no_tables/);
});

t.test('an unknown -- step: name is an error assertion naming the steps', async (t) => {
  const dir = project(t, undefined, { sql: STEPS, tests: { 'x.sql': '-- step: 09_nope\nSELECT 1 WHERE false;' } });
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /-- step: 09_nope names no step[\s\S]*steps: 01_people, 02_summary, 03_other/);
});
