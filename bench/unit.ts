// U1 — the example's unit tests (tests/unit/*.yaml): `./run.sh test --unit` on a copy of the example, timed
// whole (process start, rendering, the worker) and per test (each test's own time inside the worker: open an
// in-memory DuckDB, create the given tables, run the step, compare). Goal: well under a second per test.
import { cpSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../packages/ducksteps/lib/logs/history.js';
import { REPO, ducksteps } from './scenarios.js';

export interface UnitBench {
  readonly tests: number;
  readonly wallPerTestMs: number; // median over the rounds of (wall time of the command / tests)
  readonly perTestMs: number; // median of every test's own time, all rounds
  readonly maxTestMs: number;
  readonly line: string;
}

/** Runs `test --unit` on the example `rounds` times (after one warm-up). */
export async function u1(root: string, rounds: number): Promise<UnitBench> {
  const dir = join(root, 'u1');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (const entry of ['sql', 'steps', 'package.json'])
    cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  cpSync(join(REPO, 'tests', 'unit'), join(dir, 'tests', 'unit'), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  const walls: number[] = [];
  const each: number[] = [];
  let tests = 0;
  for (let i = 0; i <= rounds; i++) {
    const started = performance.now();
    const doc = JSON.parse((await ducksteps(dir, ['test', '--unit', '--json'])).stdout) as {
      status: string;
      tests: Array<{ duration_ms: number; status: string }>;
    };
    const wall = performance.now() - started;
    if (doc.status !== 'ok') throw new Error(`U1: the example's unit tests did not pass: ${JSON.stringify(doc.tests)}`);
    if (i === 0) continue; // warm-up: compiled step scripts, file cache
    tests = doc.tests.length;
    walls.push(wall / tests);
    each.push(...doc.tests.map((t) => t.duration_ms));
  }
  const [wallPerTestMs, perTestMs, maxTestMs] = [median(walls)!, median(each)!, Math.max(...each)];
  const line = `U1: the example's ${tests} unit tests (\`./run.sh test --unit\`, ${rounds} rounds): ${Math.round(perTestMs)} ms per test (median of each test's own time in the worker; slowest ${Math.round(maxTestMs)} ms); ${Math.round(wallPerTestMs)} ms per test counting the whole command (process start, rendering, one worker); goal well under 1 s per test: ${maxTestMs < 1000 && wallPerTestMs < 1000 ? 'met' : 'MISSED'}`;
  return { tests, wallPerTestMs, perTestMs, maxTestMs, line };
}
