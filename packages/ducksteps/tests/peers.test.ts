import t from 'tap';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, cli, CLI } from './helpers.js';
import { jaffleSeeds } from '../../../bench/peers/seeds.js';
import { duckstepsJaffle, JAFFLE_TABLES } from '../../../bench/peers/jaffle.js';
import { measure } from '../../../bench/peers/measure.js';
import { checksums } from '../../../bench/peers/checksum.js';
import { figures, writePeersSection } from '../../../bench/peers/report.js';

// The peer benchmark's own pieces at toy size, without its venv (dbt and SQLMesh are not needed here).

t.test('the jaffle shop seeds have the original row counts and are the same on every call', async (t) => {
  const seeds = jaffleSeeds();
  t.same(Object.fromEntries(Object.entries(seeds).map(([k, v]) => [k, v.trim().split('\n').length - 1])), {
    raw_customers: 100,
    raw_orders: 99,
    raw_payments: 113,
  });
  t.same(jaffleSeeds(), seeds);
});

t.test(
  'the ducksteps port of the jaffle shop builds, passes its 20 assertions, and is measured with its process tree',
  async (t) => {
    const dir = t.testdir();
    duckstepsJaffle(dir);
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    const s = measure('python3', { cwd: dir, argv: [process.execPath, CLI], env: { NO_COLOR: '1' } }, join(dir, 'run'));
    t.ok(s.wall > 0 && s.cpu > 0, 'wall and CPU time');
    t.ok(s.treeMb >= s.procMb * 0.5 && s.procMb > 20, `peak RSS: tree ${s.treeMb} MB, largest process ${s.procMb} MB`);
    t.match(readFileSync(join(dir, 'run.out'), 'utf8'), /20 passed|pass/);
    const sums = await checksums(
      join(dir, 'data', 'warehouse.duckdb'),
      Object.fromEntries(JAFFLE_TABLES.map((x) => [x, `main.${x}`])),
    );
    t.equal(sums.raw_orders.split(' ')[0], '99');
    t.equal(sums.customers.split(' ')[0], '100');
    t.equal((await cli(dir, ['test'])).exitCode, 0);
  },
);

t.test('a failing command is reported with its output', async (t) => {
  const dir = t.testdir();
  t.throws(
    () =>
      measure(
        'python3',
        { cwd: dir, argv: [process.execPath, '-e', 'console.error("boom"); process.exit(3)'] },
        join(dir, 'x'),
      ),
    /exited 3[\s\S]*boom/,
  );
});

t.test('ratios are medians of the per-round ratios; the peers section is replaced between its markers', async (t) => {
  const sample = (wall: number) => ({ wall, cpu: wall, treeMb: 100, procMb: 100 });
  const { rows, verdicts } = figures([
    {
      id: 'small',
      label: 'x',
      goals: { dbt: 0.3 },
      tablesEqual: true,
      tables: {},
      load: [],
      sides: [
        { tool: 'ducksteps', samples: [sample(1), sample(1), sample(3)] },
        { tool: 'dbt', samples: [sample(4), sample(5), sample(6)] },
      ],
    },
  ]);
  t.equal(rows[1][6], '0.250×');
  t.same(
    verdicts.map((v) => [v.what, v.met]),
    [
      ['wall', true],
      ['memory', true],
    ],
  );
  const doc = join(t.testdir(), 'performance.md');
  writeFileSync(doc, '# Performance\n\n## Reading the figures\n\nnotes\n');
  writePeersSection(doc, 'first');
  writePeersSection(doc, 'second');
  const text = readFileSync(doc, 'utf8');
  t.match(text, /notes\n\n<!-- peers:start -->\nsecond\n<!-- peers:end -->\n$/);
  t.notMatch(text, /first/);
});
