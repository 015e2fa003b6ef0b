// The worker pool of one command (docs/internals.md): it owns the temporary folder with the answers' result
// files, starts workers (the prestarted one first), keeps the next ones warming up in the order the plan
// needs them, and runs typed jobs: `run(job)` answers with that job kind's answer type.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnswerOf, AnyJob, Envelope, JobKind, JobOf } from '../protocol.js';
import { poolPrefix, removeDeadPools } from './leftovers.js';
import { takePrestarted } from './prestart.js';
import {
  launchWorker,
  type Purpose,
  type RunOptions,
  type WorkerAnswer,
  type WorkerProcess,
} from './worker-process.js';

/** How many workers may boot ahead at once: 2 on 2–3 cores, 3 on 4 or more, 1 on a single core. */
export const warmDepth = (cores = availableParallelism()) => Math.max(1, Math.min(3, cores - (cores >= 4 ? 1 : 0)));

export class WorkerPool {
  /** The pool's temporary folder: result files and the jobs' scratch space (named with the PID, so the
   * next run can tell a killed run's folder and remove it). */
  readonly folder: string;
  private queue: WorkerProcess[] = [];
  private jobs = 0;

  /** `onWaiting`: a line for each job that waits for another program's lock on the warehouse (--lock-timeout). */
  constructor(
    readonly root: string,
    private readonly depth = warmDepth(),
    private readonly onWaiting?: (line: string) => void,
  ) {
    removeDeadPools();
    this.folder = mkdtempSync(join(tmpdir(), poolPrefix()));
  }

  /** A worker for `purpose` now: the prestarted one for a step, else a new one. */
  start(purpose: Purpose = 'step'): WorkerProcess {
    return (purpose === 'step' ? takePrestarted(this.root) : undefined) ?? launchWorker(this.root, purpose);
  }

  /** Keeps workers warming for what comes next, in the order it comes (at most `depth` of them). */
  ensure(upcoming: readonly Purpose[]): void {
    for (let i = this.queue.length; i < Math.min(upcoming.length, this.depth); i++)
      this.queue.push(this.start(upcoming[i]));
  }

  /** The first warm worker to be ready (a new one when none is left); the caller owns it from here. Boots
   * that overlap on few cores finish in any order: the job goes to whichever is ready first. A warm worker
   * that died while it waited (killed, out of memory) is dropped, not handed a job. */
  async take(): Promise<WorkerProcess> {
    while (this.queue.length > 0) {
      const [worker, alive] = await Promise.race(this.queue.map((w) => w.ready.then((ok) => [w, ok] as const)));
      const at = this.queue.indexOf(worker);
      if (at < 0) continue; // a concurrent take() (parallel stages) got this one first
      this.queue.splice(at, 1);
      if (alive) return worker;
    }
    return this.start();
  }

  /** Runs a job on `worker` (default: the next warm one); the answer's type follows the job's kind. */
  async run<K extends JobKind>(
    job: JobOf<K> & { readonly kind: K },
    options?: RunOptions,
    worker?: WorkerProcess,
  ): Promise<WorkerAnswer<AnswerOf<K>>> {
    const envelope: Envelope = {
      job: job as AnyJob,
      projectRoot: this.root,
      tmpDir: this.folder,
      resultPath: join(this.folder, `${++this.jobs}-${job.kind}.json`),
    };
    const notify = this.onWaiting;
    const onWaiting =
      options?.onWaiting ?? (notify && ((what: string, ms: number) => notify(waitingLine(job as AnyJob, what, ms))));
    return (worker ?? (await this.take())).run<AnswerOf<K>>(envelope, { ...options, onWaiting });
  }

  /** Stops the warm workers (nothing may outlive the command: a live child keeps the driver running) and
   * removes the temporary folder. */
  close(): void {
    for (const worker of this.queue) worker.cancel();
    this.queue = [];
    rmSync(this.folder, { recursive: true, force: true });
  }
}

const WHO: Partial<Record<JobKind, string>> = {
  ledger: 'the batch ledger',
  assert: 'the assertions',
  publish: 'publish',
};

/** What a job waiting for a file lock says: who waits, for what, how long at most. */
function waitingLine(job: AnyJob, what: string, timeoutMs: number): string {
  const who = job.kind === 'step' ? job.step.id : (WHO[job.kind] ?? job.kind);
  return `${who}: waiting for another program to release ${what} (up to ${Math.round(timeoutMs / 1000)} s, --lock-timeout)`;
}

/** Runs one job in a pool of its own (commands that need one answer: list, compile, lineage). */
export async function runJob<K extends JobKind>(
  root: string,
  job: JobOf<K> & { readonly kind: K },
  purpose: Purpose = 'step',
): Promise<WorkerAnswer<AnswerOf<K>>> {
  const pool = new WorkerPool(root);
  try {
    return await pool.run<K>(job, {}, pool.start(purpose));
  } finally {
    pool.close();
  }
}
