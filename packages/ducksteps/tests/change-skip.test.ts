// Change-aware skip (docs/running.md, "Up to date"): a step whose SQL, vars and every input it reads — tables
// (through views and macros), files outside the warehouse — are as at its last successful commit is not run.
// The property: random sequences of edits (SQL, vars, upstream data, input files, writes from outside
// ducksteps) give the same tables with skipping as with --recheck (which runs every step), every time.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, query } from './helpers.js';
import { skipTree } from './change-skip-project.js';

function skipProject(t: Test) {
  return project(t, undefined, skipTree());
}

t.test('with nothing changed every step is up to date but the one that reads the clock', async (t) => {
  const dir = skipProject(t);
  const first = await cli(dir);
  t.equal(first.exitCode, 0, first.stdout + first.stderr);
  const again = await cli(dir);
  t.equal(again.exitCode, 0, again.stdout + again.stderr);
  for (const step of ['01_load', '02_view', '03_sum', '04_over', '05_outside'])
    t.match(again.stdout, new RegExp(`✔ ${step} up to date: nothing it reads changed`), step);
  t.match(again.stdout, /✔ 06_clock ok/, 'a step calling now() always runs');
  const recheck = await cli(dir, ['--recheck']);
  t.notMatch(recheck.stdout, /up to date/, '--recheck runs every step');
});

t.test('a changed input file runs the steps that read it, through views and table macros', async (t) => {
  const dir = skipProject(t);
  t.equal((await cli(dir)).exitCode, 0);
  writeFileSync(join(dir, 'data/in/a.csv'), 'x\n5\n6\n');
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stdout);
  for (const step of ['01_load', '02_view', '03_sum', '04_over']) t.match(run.stdout, new RegExp(`✔ ${step} ok`), step);
  t.match(run.stdout, /✔ 05_outside up to date/, 'a step reading none of it is skipped');
  t.same(await query(join(dir, 'data/warehouse.duckdb'), 'FROM o'), [{ n: 2n }]);
});
