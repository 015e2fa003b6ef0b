// `watch`: micro-batches. Watches the declared inputs' folders; when --batch-size files are pending, or the
// oldest has waited --max-wait, runs the pipeline over exactly those files (one build: incremental steps,
// the rest, the assertions). One micro-batch at a time; the run lock is held for the whole watch.
import chokidar from 'chokidar';
import { resolve } from 'node:path';
import { build, newRunId } from './build.js';
import { inputStates } from './pending.js';
import { lockWarehouse } from './warehouse-lock.js';
import { baseOf, scanInputs } from '../project/inputs.js';
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
  /** How often a file's size is checked until it stops growing (two equal checks = complete). */
  readonly stabilityMs?: number;
}

/** Pending files in arrival order (arrival = when the file got its name: ctime after a rename). */
class Queue {
  private readonly items = new Map<string, number>();
  add(path: string, arrivedAt: number): void {
    if (!this.items.has(path)) this.items.set(path, arrivedAt);
  }
  get size(): number {
    return this.items.size;
  }
  oldest(): number | undefined {
    return this.items.size === 0 ? undefined : Math.min(...this.items.values());
  }
  take(count: number): Array<[string, number]> {
    const taken = [...this.items].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, count);
    for (const [path] of taken) this.items.delete(path);
    return taken;
  }
}

/** Committed: the finish time of the last incremental step that ran ok. */
function committedAt(result: BuildResult): number | undefined {
  const done = result.steps.filter((r) => r.step.incremental && r.status === 'ok' && r.finishedAt);
  return done.length ? Date.parse(done[done.length - 1].finishedAt!) : undefined;
}

/** Watches until a micro-batch fails (resolves with it) or the signal aborts (resolves undefined). */
export async function watch(options: WatchOptions): Promise<MicroBatch | undefined> {
  const { project, settings, signal } = options;
  const lock = await lockWarehouse(project, settings, newRunId());
  const queue = new Queue();
  const folders = [...new Set(Object.values(settings.inputs).map((glob) => resolve(project.root, baseOf(glob))))];
  scanInputs(project.root, settings.inputs); // a missing input folder is a configuration error, before watching
  for (const state of await inputStates(project.root, settings)) for (const path of state.pending) queue.add(path, Date.now());
  let backlog = queue.size; // files present at start: processed at once, in batches of batchSize
  const stability = options.stabilityMs ?? 100;
  const watcher = chokidar.watch(folders, { ignoreInitial: true, alwaysStat: true, awaitWriteFinish: { stabilityThreshold: stability * 2, pollInterval: stability } });
  const matching = () => new Set(scanInputs(project.root, settings.inputs).map((f) => f.path));
  let wake: (() => void) | undefined;
  const nudge = () => { wake?.(); wake = undefined; };
  watcher.on('add', (_path, stats) => {
    const known = matching();
    for (const path of known) if (resolve(project.root, path) === resolve(_path)) queue.add(path, stats?.ctimeMs ?? Date.now());
    nudge();
  });
  signal.addEventListener('abort', nudge);
  await new Promise<void>((ready) => watcher.on('ready', () => ready()));
  options.onStart?.(Object.entries(settings.inputs).map(([name, glob]) => `${name}: ${glob}`));
  let number = 0;
  try {
    while (!signal.aborted) {
      const oldest = queue.oldest();
      const due = backlog > 0 || queue.size >= options.batchSize || (oldest !== undefined && Date.now() - oldest >= options.maxWaitMs);
      if (!due) {
        const wait = oldest === undefined ? 60_000 : Math.max(10, oldest + options.maxWaitMs - Date.now());
        await new Promise<void>((woken) => {
          const timer = setTimeout(woken, wait);
          wake = () => { clearTimeout(timer); woken(); }; // a file arrived or a signal: no timer may outlive watch
        });
        continue;
      }
      const taken = queue.take(options.batchSize);
      backlog = Math.max(0, backlog - taken.length);
      const started = Date.now();
      const unitTests = settings.unitTests !== false && number === 0; // the unit tests once, with the first micro-batch
      const result = await build({ root: project.root, project, settings: { ...settings, files: taken.map(([p]) => p), batchSize: options.batchSize, unitTests }, signal, lock });
      const at = committedAt(result);
      const batch: MicroBatch = {
        number: ++number, files: taken.length, durationMs: Date.now() - started, result,
        rows: result.steps.filter((r) => r.step.incremental).reduce((sum, r) => sum + r.rowsChanged, 0),
        latencyMs: at !== undefined ? at - Math.min(...taken.map(([, t]) => t)) : Date.now() - Math.min(...taken.map(([, t]) => t)),
      };
      await options.onBatch?.(batch);
      if (result.status !== 'ok') return batch;
    }
    return undefined;
  } finally {
    await watcher.close();
    lock.release();
  }
}
