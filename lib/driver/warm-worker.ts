// Keeps the next worker processes warming up (Node start-up, DuckDB import) while the current step runs.
// On a small project the critical path is a chain of process boots, so more than one warms ahead when the
// machine has the cores for it.
import { availableParallelism } from 'node:os';
import { startWorker, type Purpose, type Worker } from './spawn.js';

/** How many workers may boot ahead at once: 2 on 2–3 cores, 3 on 4 or more, 1 on a single core. */
export const warmDepth = (cores = availableParallelism()) => Math.max(1, Math.min(3, cores - (cores >= 4 ? 1 : 0)));

export class WarmWorker {
  private queue: Worker[] = [];

  constructor(private readonly root: string, private readonly depth = warmDepth()) {}

  /** Keeps workers warming for what comes next, in the order it comes (at most `depth` of them). */
  ensure(upcoming: readonly Purpose[]): void {
    for (let i = this.queue.length; i < Math.min(upcoming.length, this.depth); i++) this.queue.push(startWorker(this.root, upcoming[i]));
  }

  /** The first warm worker to be ready (a new one when none is left); the caller owns it from here.
   * Boots that overlap on few cores finish in any order: the job goes to whichever is ready first. A warm
   * worker that died while it waited (killed, out of memory) is dropped, not handed a step. */
  async take(): Promise<Worker> {
    while (this.queue.length > 0) {
      const [worker, alive] = await Promise.race(this.queue.map((w) => w.ready.then((ok) => [w, ok] as const)));
      this.queue.splice(this.queue.indexOf(worker), 1);
      if (alive) return worker;
    }
    return startWorker(this.root);
  }

  /** Hands over the warm workers, in order, without starting any. */
  release(): Worker[] {
    const workers = this.queue;
    this.queue = [];
    return workers;
  }

  /** Stops the warm workers: nothing may outlive the build (a live child keeps the driver running). */
  cancel(): void {
    for (const worker of this.release()) worker.cancel();
  }
}
