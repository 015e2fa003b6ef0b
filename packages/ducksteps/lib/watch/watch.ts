// `watch`: micro-batches. Watches the declared inputs' folders; when --batch-size files are pending, or the
// oldest has waited --max-wait, runs the pipeline over exactly those files (one build: incremental steps,
// the rest, the assertions). One micro-batch at a time; the run lock is held for the whole watch.
import { build } from '../run/build.js';
import { newRunId } from '../logs/history.js';
import type { Lock } from '../locks/run-lock.js';
import { lockWarehouse } from '../locks/warehouse-lock.js';
import { watchArrivals, type Arrivals } from './arrivals.js';
import type { Project, Settings } from '../model.js';
import type { BuildResult } from '../results.js';

export interface MicroBatch {
  readonly number: number;
  readonly files: number;
  readonly rows: number;
  readonly durationMs: number;
  readonly latencyMs: number; // oldest file's arrival -> its data committed
  readonly result: BuildResult;
}

export interface WatchOptions {
  readonly project: Project;
  readonly settings: Settings;
  readonly batchSize: number;
  readonly maxWaitMs: number;
  readonly signal: AbortSignal;
  readonly onStart?: (lines: readonly string[]) => void;
  readonly onBatch?: (batch: MicroBatch) => void | Promise<void>;
  readonly onWarning?: (line: string) => void;
  /** How often a file's size is checked until it stops growing (two equal checks = complete). */
  readonly stabilityMs?: number;
}

/** Committed: the finish time of the last incremental step that ran ok. */
function committedAt(result: BuildResult): number | undefined {
  const done = result.steps.filter((r) => r.step.incremental && r.status === 'ok' && r.finishedAt);
  return done.length ? Date.parse(done[done.length - 1].finishedAt!) : undefined;
}

/** One build over exactly the files taken. */
async function microBatch(
  options: WatchOptions,
  lock: Lock,
  taken: Array<[string, number]>,
  number: number,
): Promise<MicroBatch> {
  const { project, settings, signal } = options;
  const started = Date.now();
  const files = taken.map(([p]) => p);
  const result = await build({
    root: project.root,
    project,
    settings: {
      ...settings,
      files,
      batchSize: options.batchSize,
      unitTests: settings.unitTests !== false && number === 1,
    },
    signal,
    lock,
    events: { onWarning: options.onWarning, onWaiting: options.onWarning },
  });
  const arrived = taken.length ? Math.min(...taken.map(([, t]) => t)) : started; // none: finishing a stopped run's batches
  return {
    number,
    files: taken.length,
    durationMs: Date.now() - started,
    result,
    rows: result.steps.filter((r) => r.step.incremental).reduce((sum, r) => sum + r.rowsChanged, 0),
    latencyMs: (committedAt(result) ?? Date.now()) - arrived,
  };
}

/** Whether a micro-batch is due: files present at start (or batches a stopped run left unfinished) at once,
 * else --batch-size files pending or the oldest waiting --max-wait. */
function due(options: WatchOptions, arrivals: Arrivals, first: boolean): boolean {
  const { queue } = arrivals;
  const oldest = queue.oldest();
  return (
    (first && arrivals.unfinished) ||
    (arrivals.backlog > 0 && queue.size > 0) ||
    queue.size >= options.batchSize ||
    (oldest !== undefined && Date.now() - oldest >= options.maxWaitMs)
  );
}

/** Watches until a micro-batch fails (resolves with it) or the signal aborts (resolves undefined). */
export async function watch(options: WatchOptions): Promise<MicroBatch | undefined> {
  const { project, settings, signal } = options;
  const lock = await lockWarehouse(project, settings, newRunId());
  const arrivals = await watchArrivals(project, settings, options.stabilityMs ?? 100, signal).catch(
    (error: unknown) => {
      lock.release();
      throw error;
    },
  );
  options.onStart?.(Object.entries(settings.inputs).map(([name, glob]) => `${name}: ${glob}`));
  try {
    for (let number = 1; !signal.aborted;) {
      if (due(options, arrivals, number === 1)) {
        const taken = arrivals.queue.take(options.batchSize);
        arrivals.took(taken.length);
        const batch = await microBatch(options, lock, taken, number++);
        await options.onBatch?.(batch);
        if (batch.result.status !== 'ok') return batch;
        continue;
      }
      // at most a minute per wait: a timer longer than ~24.8 days (--max-wait 999h) would fire at once
      const oldest = arrivals.queue.oldest();
      await arrivals.next(
        Math.min(60_000, oldest === undefined ? 60_000 : Math.max(10, oldest + options.maxWaitMs - Date.now())),
      );
    }
    return undefined;
  } finally {
    await arrivals.close();
    lock.release();
  }
}
