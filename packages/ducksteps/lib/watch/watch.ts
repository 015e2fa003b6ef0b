// `watch`: micro-batches. Watches the declared inputs' folders; when --batch-size files are pending, or the
// oldest has waited --max-wait, runs the pipeline over exactly those files (one build: incremental steps,
// the rest, the assertions). One micro-batch at a time; the run lock is held for the whole watch.
import chokidar from 'chokidar';
import { resolve } from 'node:path';
import { build } from '../run/build.js';
import { newRunId } from '../logs/history.js';
import { pendingFiles } from '../incremental/pending.js';
import type { Lock } from '../locks/run-lock.js';
import { Queue, Settling } from './queue.js';
import { lockWarehouse } from '../locks/warehouse-lock.js';
import { inputMatcher } from '../project/input-match.js';
import { baseOf } from '../project/inputs.js';
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

/** Queues the files present at start (a missing input folder is a configuration error, before watching):
 * archived ones (a fresh warehouse) at once, landing ones once they hold still. Returns how many. */
async function queueInitial(options: WatchOptions, queue: Queue, settling: Settling): Promise<number> {
  for (const f of (await pendingFiles(options.project.root, options.settings)).pending) {
    if (f.at === f.path) settling.add(f.path);
    else queue.add(f.path, Date.now());
  }
  return queue.size + settling.size;
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
    events: { onWarning: options.onWarning },
  });
  const arrived = Math.min(...taken.map(([, t]) => t));
  return {
    number,
    files: taken.length,
    durationMs: Date.now() - started,
    result,
    rows: result.steps.filter((r) => r.step.incremental).reduce((sum, r) => sum + r.rowsChanged, 0),
    latencyMs: (committedAt(result) ?? Date.now()) - arrived,
  };
}

/** Watches until a micro-batch fails (resolves with it) or the signal aborts (resolves undefined). */
export async function watch(options: WatchOptions): Promise<MicroBatch | undefined> {
  const { project, settings, signal } = options;
  const lock = await lockWarehouse(project, settings, newRunId());
  const queue = new Queue();
  const stability = options.stabilityMs ?? 100;
  const settling = new Settling(project.root, stability * 2);
  let backlog = await queueInitial(options, queue, settling).catch((error: unknown) => {
    lock.release();
    throw error;
  });
  const folders = [...new Set(Object.values(settings.inputs).map((glob) => resolve(project.root, baseOf(glob))))];
  const watcher = chokidar.watch(folders, {
    ignoreInitial: true,
    alwaysStat: true,
    awaitWriteFinish: { stabilityThreshold: stability * 2, pollInterval: stability },
  });
  const inputOf = inputMatcher(project.root, settings);
  let wake: (() => void) | undefined;
  const nudge = () => {
    wake?.();
    wake = undefined;
  };
  watcher.on('add', (path, stats) => {
    const match = inputOf(resolve(path));
    if (match) queue.add(match[1], stats?.ctimeMs ?? Date.now());
    nudge();
  });
  const poll = setInterval(() => {
    for (const path of settling.settled()) queue.add(path, Date.now());
    if (queue.size) nudge();
  }, stability);
  signal.addEventListener('abort', nudge);
  await new Promise<void>((ready) => watcher.on('ready', () => ready()));
  options.onStart?.(Object.entries(settings.inputs).map(([name, glob]) => `${name}: ${glob}`));
  try {
    for (let number = 1; !signal.aborted;) {
      const oldest = queue.oldest();
      if (
        (backlog > 0 && queue.size > 0) ||
        queue.size >= options.batchSize ||
        (oldest !== undefined && Date.now() - oldest >= options.maxWaitMs)
      ) {
        const taken = queue.take(options.batchSize);
        backlog = Math.max(0, backlog - taken.length);
        const batch = await microBatch(options, lock, taken, number++);
        await options.onBatch?.(batch);
        if (batch.result.status !== 'ok') return batch;
        continue;
      }
      // at most a minute per wait: a timer longer than ~24.8 days (--max-wait 999h) would fire at once
      const wait = Math.min(
        60_000,
        oldest === undefined ? 60_000 : Math.max(10, oldest + options.maxWaitMs - Date.now()),
      );
      await new Promise<void>((woken) => {
        const timer = setTimeout(woken, wait);
        wake = () => {
          clearTimeout(timer);
          woken();
        }; // a file arrived or a signal: no timer may outlive watch
      });
    }
    return undefined;
  } finally {
    clearInterval(poll);
    await watcher.close();
    lock.release();
  }
}
