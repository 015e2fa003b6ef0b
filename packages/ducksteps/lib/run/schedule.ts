// Runs tasks as a dependency graph allows: each once the tasks it waits for have finished, at most `jobs` at
// once, the lowest-numbered ready task first (with one job and each task waiting for the one before, exactly
// the planned order).

/** Runs tasks 0..n-1; `waitsFor[i]` are the tasks i waits for (all lower-numbered). Resolves when all are done. */
export async function schedule(
  waitsFor: readonly (readonly number[])[],
  jobs: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  const done = new Set<number>();
  const started = new Set<number>();
  const running = new Map<number, Promise<number>>();
  while (done.size < waitsFor.length) {
    for (let i = 0; i < waitsFor.length && running.size < Math.max(1, jobs); i++) {
      if (started.has(i) || !waitsFor[i].every((d) => done.has(d))) continue;
      started.add(i);
      running.set(
        i,
        task(i).then(() => i),
      );
    }
    const finished = await Promise.race(running.values());
    running.delete(finished);
    done.add(finished);
  }
}
