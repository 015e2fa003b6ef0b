// What `watch` sees arrive: the inputs' folders watched (chokidar), each new file queued once it holds still,
// and what was there at start. The folders are watched before they are listed, so a file that lands while
// watch starts is seen by one or both, never by neither. Holding still is checked here, by a timer this file
// clears on close — never by chokidar, whose checks of a file still growing outlive its close() and kept the
// process alive after a SIGTERM for as long as the file grew.
import chokidar from 'chokidar';
import { resolve } from 'node:path';
import { pendingFiles } from '../incremental/pending.js';
import { inputMatcher } from '../project/input-match.js';
import { baseOf } from '../project/inputs.js';
import type { Ledger, Project, Settings } from '../model.js';
import { Queue, Settling } from './queue.js';

export interface Arrivals {
  readonly queue: Queue;
  /** Files present at start not taken yet: they go first, without waiting for --max-wait. */
  readonly backlog: number;
  /** Batches a stopped run left unfinished (some incremental step lacks them): a micro-batch finishes them. */
  readonly unfinished: boolean;
  /** Resolves when a file is queued, the signal aborts, or after `ms`. */
  next(ms: number): Promise<void>;
  /** Counts files taken out of the backlog. */
  took(count: number): void;
  close(): Promise<void>;
}

/** Whether some batch lacks one of the project's incremental steps. */
const hasUnfinished = (ledger: Ledger, project: Project) => {
  const done = new Set(ledger.stepBatches.map((d) => `${d.step} ${d.batchId}`));
  const steps = project.steps.filter((s) => s.incremental);
  return ledger.batches.some((b) => steps.some((s) => !done.has(`${s.id} ${b.id}`)));
};

/** A wait that a queued file or the stop signal cuts short; no timer outlives it. */
function waker(signal: AbortSignal) {
  let wake: (() => void) | undefined;
  const nudge = () => {
    wake?.();
    wake = undefined;
  };
  const next = (ms: number) =>
    new Promise<void>((woken) => {
      if (signal.aborted) return woken();
      const timer = setTimeout(woken, ms);
      wake = () => {
        clearTimeout(timer);
        woken();
      };
    });
  return { nudge, next };
}

/** Queues what the store holds that the warehouse does not: archived files (a fresh warehouse) at once,
 * landing ones once they hold still. Returns whether a stopped run left batches unfinished. */
async function queuePresent(project: Project, settings: Settings, queue: Queue, settling: Settling) {
  const { ledger, pending } = await pendingFiles(project.root, settings);
  for (const f of pending) {
    if (f.at === f.path) settling.add(f.path);
    else queue.add(f.path, Date.now());
  }
  return hasUnfinished(ledger, project);
}

/** Watches the inputs' folders (resolves once watching), then queues the files present. A missing input
 * folder is a configuration error. */
export async function watchArrivals(
  project: Project,
  settings: Settings,
  stabilityMs: number,
  signal: AbortSignal,
): Promise<Arrivals> {
  const queue = new Queue();
  const settling = new Settling(project.root, stabilityMs * 2);
  const folders = [...new Set(Object.values(settings.inputs).map((glob) => resolve(project.root, baseOf(glob))))];
  const watcher = chokidar.watch(folders, { ignoreInitial: true, alwaysStat: true });
  const inputOf = inputMatcher(project.root, settings);
  const { nudge, next } = waker(signal);
  watcher.on('add', (path, stats) => {
    const match = inputOf(resolve(path));
    if (match) settling.add(match[1], stats?.ctimeMs ?? Date.now()); // arrival: when it got its name
  });
  const poll = setInterval(() => {
    for (const [path, arrived] of settling.settled()) queue.add(path, arrived);
    if (queue.size) nudge();
  }, stabilityMs);
  signal.addEventListener('abort', nudge);
  const close = async () => {
    clearInterval(poll);
    signal.removeEventListener('abort', nudge);
    nudge();
    await watcher.close();
  };
  try {
    await new Promise<void>((ready) => watcher.on('ready', () => ready()));
    const unfinished = await queuePresent(project, settings, queue, settling);
    let backlog = queue.size + settling.size;
    const took = (count: number) => void (backlog = Math.max(0, backlog - count));
    return {
      queue,
      unfinished,
      took,
      next,
      close,
      get backlog() {
        return backlog;
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
