// Gates of incremental steps check the rows the batch wrote when that gives the whole-table answer: random
// batches with duplicates across batches, NULLs, bad values and orphans give, run after run, the results the
// same runs give with --recheck (every gate on the whole table); a step that updates old rows stays whole-table.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project } from './helpers.js';
import { CHECKS, LOAD, checksFiles, gates } from './batch-checks-project.js';

/** One folder per project, each with the same files (a test's folder is one: projects are below it). */
function checksProjects(t: Test, names: readonly string[], severity = 'warn', extra = '') {
  const dir = project(t, undefined, Object.fromEntries(names.map((n) => [n, checksFiles(severity, extra)])));
  return names.map((n) => join(dir, n));
}
const deliver = (dir: string, name: string, csv: string) => writeFileSync(join(dir, 'data/landing/ev', name), csv);

/** A small seeded generator (mulberry32): the same trial every time for a seed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** A day's file: fresh ids mostly, some repeated from earlier files or this one, NULLs, bad values, orphans. */
function dayFile(next: () => number, ids: number[]): string {
  const lines = ['id,v,pid'];
  const rows = 1 + Math.floor(next() * 4);
  for (let i = 0; i < rows; i++) {
    const r = next();
    const id = r < 0.12 && ids.length ? ids[Math.floor(next() * ids.length)] : r < 0.17 ? null : 100 + ids.length;
    if (id !== null) ids.push(id);
    const w = next();
    const v = w < 0.08 ? '' : w < 0.14 ? 'zz' : w < 0.2 ? 'c' : next() < 0.5 ? 'a' : 'b';
    const pid = next() < 0.1 ? 99 : Math.floor(next() * 8);
    lines.push(`${id ?? ''},${v},${pid}`);
  }
  return `${lines.join('\n')}\n`;
}

t.test('random batches: each gate gives the answer --recheck gives on the whole table, run after run', async (t) => {
  const seed = Number(process.env.BATCH_CHECKS_SEED ?? 20261207);
  const batchScoped: string[] = [];
  const dirs = checksProjects(t, ['scoped0', 'whole0', 'scoped1', 'whole1']);
  for (let trial = 0; trial < 2; trial++) {
    const next = random(seed + trial);
    const [scoped, whole] = dirs.slice(2 * trial);
    const ids: number[] = [];
    for (let day = 1; day <= 4; day++) {
      const csv = dayFile(next, ids);
      deliver(scoped, `d${day}.csv`, csv);
      deliver(whole, `d${day}.csv`, csv);
      const [a, b] = await Promise.all([cli(scoped), cli(whole, ['--recheck'])]);
      for (const run of [a, b]) if (run.exitCode !== 0) t.fail(`exit ${run.exitCode}: ${run.stdout}${run.stderr}`);
    }
    const [a, b] = [await gates(scoped), await gates(whole)];
    t.same(
      a.results,
      b.results,
      `seed ${seed + trial}: the same status and offending rows for every gate of every run`,
    );
    t.ok(
      b.scopes.every((s) => s === 'table'),
      '--recheck checks every table whole',
    );
    t.same(a.scopes.slice(0, 8), Array(8).fill('table'), 'the first batch has no state before it: whole tables');
    batchScoped.push(...a.scopes.filter((s) => s === 'batch'));
    t.ok(
      a.results.some((r) => / warn [1-9]/.test(r)),
      `seed ${seed + trial}: the trial's batches break some check`,
    );
  }
  t.ok(batchScoped.length > 0, 'some gates checked only the batch');
});

t.test('a batch that breaks a check fails its gate when only the batch is checked', async (t) => {
  const [dir] = checksProjects(t, ['p'], 'error');
  deliver(dir, 'd1.csv', 'id,v,pid\n1,a,1\n2,b,2\n');
  t.equal((await cli(dir)).exitCode, 0);
  deliver(dir, 'd2.csv', 'id,v,pid\n3,a,3\n');
  const good = await cli(dir);
  t.equal(good.exitCode, 0);
  t.match(good.stdout, /01_load batch 2 .* 8 assertions gated it \(8 on the batch's rows only\)/);
  deliver(dir, 'd3.csv', 'id,v,pid\n1,zz,99\n4,,5\n');
  const bad = await cli(dir);
  t.equal(bad.exitCode, 1, 'the batch is rolled back');
  const { results, scopes } = await gates(dir);
  t.same(scopes.slice(8, 16), ['batch', 'batch', 'batch', 'batch', 'batch', 'batch', 'batch', 'batch']);
  t.same(results.slice(16), [
    'check1 fail 1',
    'check2 pass 0',
    'check3 fail 1',
    'check4 fail 1',
    'check5 fail 1',
    'check6 pass 0',
    'check7 fail 1',
    'check8 fail 1',
  ]);
  t.same(scopes.slice(16), Array(8).fill('batch'));
});

t.test('a step that updates old rows, and a changed assertion, check the whole table', async (t) => {
  const [dir, plain] = checksProjects(t, ['updates', 'plain'], 'error');
  writeFileSync(
    join(dir, 'sql/01_load/01.sql'),
    LOAD(`UPDATE events SET v = 'zz' WHERE id = 1 AND {{ batch.id }} = 3;`),
  );
  deliver(dir, 'd1.csv', 'id,v,pid\n1,a,1\n');
  t.equal((await cli(dir)).exitCode, 0);
  deliver(dir, 'd2.csv', 'id,v,pid\n2,b,2\n');
  t.equal((await cli(dir)).exitCode, 0);
  let { scopes } = await gates(dir);
  t.same(scopes.slice(8), Array(8).fill('batch'), 'an UPDATE that changed no row changed nothing');
  deliver(dir, 'd3.csv', 'id,v,pid\n3,a,3\n');
  const run = await cli(dir);
  t.equal(run.exitCode, 1, 'the old row the batch updated breaks accepted_values, and the gate sees it');
  t.match(run.stdout, /check4 \(tests\/checks\.sql:\d+\): 1 offending row/);
  ({ scopes } = await gates(dir));
  t.same(scopes.slice(16), Array(8).fill('table'), 'a batch that updated a row of events checks it whole');

  deliver(plain, 'd1.csv', 'id,v,pid\n1,a,1\n');
  t.equal((await cli(plain)).exitCode, 0);
  writeFileSync(join(plain, 'tests/checks.sql'), CHECKS('error').replace("'b', 'c'", "'b', 'c', 'd'"));
  deliver(plain, 'd2.csv', 'id,v,pid\n2,b,2\n');
  t.equal((await cli(plain)).exitCode, 0);
  deliver(plain, 'd3.csv', 'id,v,pid\n3,b,2\n');
  t.equal((await cli(plain)).exitCode, 0);
  ({ scopes } = await gates(plain));
  t.same(scopes.slice(8, 16), ['batch', 'batch', 'batch', 'table', 'batch', 'batch', 'batch', 'batch'], 'changed once');
  t.same(scopes.slice(16), Array(8).fill('batch'), 'then the batch again');
});

t.test('-- scope: batch on an assertion gating a step that is not incremental is refused, exit 2', async (t) => {
  const dir = project(t, undefined, {
    'package.json': JSON.stringify({ name: 'plain' }),
    sql: { '01_make': { '01.sql': 'CREATE OR REPLACE TABLE things AS SELECT 1 AS id;' } },
    tests: { 'things.sql': "-- name: few\n-- scope: batch\nSELECT * FROM {{ batch_rows('things') }} WHERE id > 5;\n" },
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 2);
  t.match(
    run.stderr,
    'tests/things.sql:3: assertion few says -- scope: batch, but the step it gates, 01_make, is not incremental',
  );
  t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
});

t.test('a -- scope: batch query that reads a table another step writes checks the whole table', async (t) => {
  const dir = project(t, undefined, {
    ...checksFiles(),
    sql: {
      '00_limits': { '01.sql': 'CREATE OR REPLACE TABLE limits AS SELECT 50 AS max_pid;' },
      '01_load': { '01.sql': LOAD() },
    },
    tests: {
      'checks.sql':
        "-- name: keys\n{{ unique('events', 'id') }};\n\n-- name: within_limits\n-- scope: batch\n" +
        "SELECT e.id FROM {{ batch_rows('events') }} AS e, limits WHERE e.pid > limits.max_pid;\n",
    },
  });
  for (const day of [1, 2]) {
    writeFileSync(join(dir, `data/landing/ev/d${day}.csv`), `id,v,pid\n${day},a,1\n`);
    t.equal((await cli(dir)).exitCode, 0);
  }
  const { scopes } = await gates(dir);
  t.same(scopes, ['table', 'table', 'batch', 'table'], 'limits may change between batches: within_limits is whole');
});
