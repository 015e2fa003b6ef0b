// Slow (3 min alone on 2 cores at load 15): 24 runs of the CLI, two at a time, on two copies of a six-step project.
// Change-aware skip, the property (docs/running.md, "Up to date steps"): random sequences of edits (SQL, vars,
// upstream data, input files, writes from outside ducksteps) give the same tables with skipping as with --recheck (which
// runs every step), every time.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../lib/engines/duckdb/database.js';
import { cli, query } from './helpers.js';
import { SQL, skipTree } from './change-skip-project.js';

const TABLES = ['a', 's', 'o', 'b', 'c', 'd'];

/** A small seeded generator (mulberry32): the sequence a failure names can be run again. */
function random(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let r = Math.imul(s ^ (s >>> 15), 1 | s);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) % n;
  };
}

type Edit = { readonly name: string; apply(dir: string): Promise<void> | void; readonly args?: string[] };

/** The edits a sequence draws from: each applied alike to both projects. */
function edits(pick: (n: number) => number, round: number): Edit[] {
  const values = [String(10 + round), ...Array.from({ length: pick(4) }, () => String(pick(6)))]; // never the same file twice
  const csv = ['x', ...values].join('\n') + '\n';
  const k = String(1 + pick(3));
  const op = ['sum', 'max', 'min'][pick(3)];
  const z = pick(100);
  return [
    { name: 'nothing', apply: () => undefined },
    { name: 'new input file', apply: (dir) => writeFileSync(join(dir, 'data/in/a.csv'), csv) },
    { name: `var k=${k}`, apply: () => undefined, args: ['--var', `k=${k}`] },
    {
      name: `SQL of 03_sum uses ${op}`,
      apply: (dir) =>
        writeFileSync(
          join(dir, 'sql/03_sum/01.sql'),
          SQL['03_sum']['01.sql'].replace(/\b(sum|max|min)\(y\)/, `${op}(y)`),
        ),
    },
    {
      name: `outside write to b (${z})`,
      apply: async (dir) => {
        const db = await openDatabase(join(dir, 'data/warehouse.duckdb'));
        await db.run(`INSERT INTO b VALUES (${z})`);
        db.close();
      },
    },
    {
      name: 'outside write to a',
      apply: async (dir) => {
        const db = await openDatabase(join(dir, 'data/warehouse.duckdb'));
        await db.run('UPDATE a SET x = x + 1');
        db.close();
      },
    },
  ];
}

const dump = async (dir: string) =>
  Object.fromEntries(
    await Promise.all(
      TABLES.map(async (table) => [
        table,
        JSON.stringify(await query(join(dir, 'data/warehouse.duckdb'), `FROM ${table} ORDER BY ALL`), (_, v) =>
          typeof v === 'bigint' ? String(v) : v,
        ),
      ]),
    ),
  );

/** Two copies of the project in one test folder (a test has one testdir): one run with skipping, one with --recheck. */
function twoProjects(t: Test) {
  const root = t.testdir({ skipping: skipTree(), always: skipTree() });
  return [join(root, 'skipping'), join(root, 'always')];
}

t.test('random sequences of edits give the same tables with skipping as with --recheck', async (t) => {
  let skipped = 0;
  // seeds 1 and 2 between them draw every kind of edit (1: outside write to b, outside write to a, nothing, a var
  // twice; 2: SQL, a new input file, SQL again, another file, an outside write to a); seed 3 drew only SQL and outside
  // writes to a, already covered, for a third of the file's time (12 more CLI runs)
  for (const seed of [1, 2])
    await t.test(`seed ${seed}`, async (t) => {
      const pick = random(seed);
      const [skipping, always] = twoProjects(t);
      const [first, firstAlways] = await Promise.all([cli(skipping), cli(always, ['--recheck'])]);
      t.equal(first.exitCode, 0);
      t.equal(firstAlways.exitCode, 0);
      const done: string[] = [];
      for (let i = 0; i < 5; i++) {
        const choices = edits(pick, i);
        const edit = choices[pick(choices.length)];
        done.push(edit.name);
        for (const dir of [skipping, always]) await edit.apply(dir);
        const args = edit.args ?? [];
        const [a, b] = await Promise.all([cli(skipping, args), cli(always, [...args, '--recheck'])]); // two projects
        t.equal(a.exitCode, 0, a.stdout + a.stderr);
        t.equal(b.exitCode, 0, b.stdout + b.stderr);
        skipped += a.stdout.match(/up to date: nothing it reads changed/g)?.length ?? 0;
        t.same(await dump(skipping), await dump(always), `seed ${seed}: ${done.join(' -> ')}`);
      }
    });
  t.ok(skipped > 0, `steps were skipped ${skipped} times along the way`);
});
