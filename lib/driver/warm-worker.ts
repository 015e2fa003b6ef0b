// Keeps the next worker process warming up (Node start-up, DuckDB import) while the current step runs.
import { startWorker, type Worker } from './spawn.js';

export class WarmWorker {
  private next?: Worker;

  constructor(private readonly root: string) {}

  /** Starts a worker for what comes next (every worker is the same plain Node process). */
  warm(): void {
    this.next ??= startWorker(this.root);
  }

  /** The warm worker (a new one when none is warm); the caller owns it from here. */
  take(): Worker {
    const worker = this.next ?? startWorker(this.root);
    this.next = undefined;
    return worker;
  }

  /** Hands over the warm worker, if any, without starting one. */
  release(): Worker | undefined {
    const worker = this.next;
    this.next = undefined;
    return worker;
  }

  /** Stops the warm worker: nothing may outlive the build (a live child keeps the driver running). */
  cancel(): void {
    this.next?.cancel();
    this.next = undefined;
  }
}
