import t from 'tap';
import { execa } from 'execa';
import { REPO } from './helpers.js';

t.test('the benchmark runs at tiny sizes and both sides build the same tables', async (t) => {
  const run = await execa(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/run.ts',
      '--pairs',
      '1',
      '--warmup',
      '0',
      '--orders',
      '2000',
      '--rows',
      '1000',
      '--p13-rows',
      '20000',
      '--only',
      'P1,P2,P3,P12,P13,U1',
      '--no-write',
    ],
    { cwd: REPO, reject: false },
  );
  t.equal(run.exitCode, 0, run.stderr);
  t.notMatch(run.stderr, /produced different tables/);
  for (const id of ['P1', 'P2', 'P3', 'P12', 'P13'])
    t.match(run.stdout, new RegExp(`│ ${id} +│.*│ [\\d.]+×`), `${id} has a ratio`);
  t.match(run.stdout, /│ boot +│ [\d.]+ │/, 'the phase breakdown is printed');
  t.match(run.stdout, /P12 reference: .* [\d.]+ s \(median of 1\)/, 'the one-process-per-step reference is printed');
  t.match(
    run.stdout,
    /U1: the example's 5 unit tests \(`\.\/run\.sh test --unit`, 1 rounds\): \d+ ms per test/,
    'the unit tests are measured per test',
  );
});
