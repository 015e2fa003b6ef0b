// Faults at random moments for the Spark kill tests, reproducible: a seeded generator picks the step after whose
// start a fault strikes and how long after (DUCKSTEPS_KILL_SEED=n replays a sequence); the fault is injected
// while the run goes on, and the run's output says how it ended.
import type { Test } from 'tap';
import type { ResultPromise } from 'execa';

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves when the child prints `text` (true), or when it exits first (false). */
export const printed = (child: ResultPromise, text: string) =>
  new Promise<boolean>((resolve) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += String(chunk);
      if (seen.includes(text)) resolve(true);
    });
    child.then(
      () => resolve(false),
      () => resolve(false),
    );
  });

/** Strikes `fault` a random moment into a running build: after one of `steps` has started (picked by `random`),
 * up to `maxDelayMs` later. Returns the run's exit code and where the fault struck. */
export async function strike(
  t: Test,
  child: ResultPromise,
  steps: readonly string[],
  random: () => number,
  fault: () => unknown,
  maxDelayMs = 4000,
  waitForEnd = true,
) {
  const step = steps[Math.floor(random() * steps.length)];
  const delay = Math.round(random() * maxDelayMs);
  const during = await printed(child, `▶ ${step}`);
  if (during) await new Promise((resolve) => setTimeout(resolve, delay));
  const running = child.exitCode === null && child.signalCode === null;
  await fault();
  const where = running ? `${delay} ms after ${step} started` : `after the run ended (${step} never started)`;
  if (!waitForEnd) {
    t.comment(`fault ${where}`);
    return { where };
  }
  const result = await child.catch((error: unknown) => error as Awaited<ResultPromise>);
  t.comment(`fault ${where}: the run exited ${result.exitCode ?? result.signal}`);
  return { exitCode: result.exitCode, signal: result.signal, stdout: String(result.stdout ?? ''), where };
}
