import t from 'tap';
import { execa } from 'execa';
import { REPO } from './helpers.js';

t.test('the benchmark runs at tiny sizes and both sides build the same tables', async (t) => {
  const run = await execa(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--pairs', '1', '--warmup', '0', '--orders', '2000', '--rows', '1000', '--only', 'P1,P2,P3', '--no-write'], { cwd: REPO, reject: false });
  t.equal(run.exitCode, 0, run.stderr);
  t.notMatch(run.stderr, /produced different tables/);
  for (const id of ['P1', 'P2', 'P3']) t.match(run.stdout, new RegExp(`│ ${id} │.*│ [\\d.]+×`), `${id} has a ratio`);
  t.match(run.stdout, /│ boot +│ [\d.]+ │/, 'the phase breakdown is printed');
});
