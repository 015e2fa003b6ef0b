// Side-by-side timing: A B A B …, after warm-ups; median, min, max of each and the median per-pair ratio.
import { median } from '../packages/ducksteps/lib/logs/history.js';

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface PairResult {
  readonly a: Stats;
  readonly b: Stats;
  readonly ratio: number; // median of a_i / b_i
  readonly pairs: number;
}

const stats = (xs: number[]): Stats => ({ median: median(xs)!, min: Math.min(...xs), max: Math.max(...xs) });

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

/** Untimed preparation before each run of a side (reset a database to a known state, …). */
export interface Prepare {
  readonly a?: () => Promise<unknown> | unknown;
  readonly b?: () => Promise<unknown> | unknown;
}

/** Runs `warmup` unmeasured pairs, then `pairs` measured ones, alternating A and B. */
export async function comparePairs(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  pairs: number,
  warmup: number,
  prepare: Prepare = {},
): Promise<PairResult> {
  const runA = async () => {
    await prepare.a?.();
    return timed(a);
  };
  const runB = async () => {
    await prepare.b?.();
    return timed(b);
  };
  for (let i = 0; i < warmup; i++) {
    await runA();
    await runB();
  }
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < pairs; i++) {
    as.push(await runA());
    bs.push(await runB());
  }
  return { a: stats(as), b: stats(bs), ratio: median(as.map((x, i) => x / bs[i]))!, pairs };
}
