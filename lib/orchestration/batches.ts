// Plans the batches a run of incremental steps processes: the batches some of them have not committed
// yet (oldest first), then the new landing files, in batches of --batch-size. The ledger in the database
// says what was processed; the landing folder says what arrived. Decides only: the worker writes.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BatchError } from '../errors.js';
import { archivePath, scanInputs, sha256Of, type FoundFile } from '../project/inputs.js';
import type { Batch, LandingFile, Ledger, Settings, Step } from '../model.js';

export interface BatchPlan {
  readonly batches: readonly Batch[];
  /** Loaded files still in landing, unchanged: the archive step can move them (a crash may have stopped it). */
  readonly unchanged: readonly LandingFile[];
  /** One line per input for the console: what is loaded, what is new. */
  readonly notices: readonly string[];
}

const short = (sha: string) => sha.slice(0, 12);

/** Hashes a found file, or refuses it when it was loaded before and its content changed since. */
async function checkLoaded(root: string, file: FoundFile, loaded: Ledger['files'][number]): Promise<void> {
  if (file.size === loaded.size && file.mtimeMs === loaded.mtimeMs) return; // untouched: no need to read it
  const sha = await sha256Of(root, file.path);
  if (sha === loaded.sha256) return;
  throw new BatchError(`landing file ${file.path} was loaded in batch ${loaded.batchId} and has changed since (sha256 ${short(loaded.sha256)}… → ${short(sha)}…)`, {
    hint: 'a loaded file must not change: restore it, or deliver the correction as a new file (e.g. a _v2 suffix); to rebuild from the files as they are now, run ./run.sh --full-refresh',
  });
}

/** Where a file the ledger knows is now: still in landing, or in the archive; a gone file is an error. */
function locate(root: string, settings: Settings, file: LandingFile, batchId: number): string {
  if (existsSync(join(root, file.path)) && statSync(join(root, file.path)).isFile()) return file.path;
  const archived = settings.archive ? archivePath(settings.archive, settings.inputs, file.input, file.path) : undefined;
  if (archived && existsSync(join(root, archived))) return archived;
  throw new BatchError(`landing file ${file.path} of batch ${batchId} is needed again but is gone${archived ? ` (not in ${archived} either)` : ''}`, {
    hint: 'put the file back where it was; ducksteps never deletes landing files, something else moved it',
  });
}

function chunks<T>(items: readonly T[], size: number | undefined): T[][] {
  if (!size || items.length <= size) return [[...items]];
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function hashAll(root: string, files: readonly FoundFile[]): Promise<LandingFile[]> {
  return Promise.all(files.map(async (f) => ({ ...f, sha256: await sha256Of(root, f.path) })));
}

function summary(settings: Settings, found: readonly FoundFile[], pending: readonly FoundFile[], ledger: Ledger): string[] {
  return Object.keys(settings.inputs).map((input) => {
    const loaded = ledger.files.filter((f) => f.input === input).length;
    const fresh = pending.filter((f) => f.input === input).length;
    const state = fresh === 0 ? 'nothing new' : `${fresh} new file${fresh === 1 ? '' : 's'}`;
    return `${input}: ${state} (${loaded} loaded, ${found.filter((f) => f.input === input).length} in ${settings.inputs[input]})`;
  });
}

/** The batches for a run of consecutive incremental steps. `canCreate`: it starts at the project's first
 * incremental step, so new files may become new batches (a later step alone only catches up). */
export async function planBatches(root: string, settings: Settings, ledger: Ledger, steps: readonly Step[], canCreate: boolean): Promise<BatchPlan> {
  const found = scanInputs(root, settings.inputs);
  const loadedByPath = new Map(ledger.files.map((f) => [f.path, f]));
  const unchanged: LandingFile[] = [];
  if (!settings.fullRefresh) {
    for (const f of found) {
      const loaded = loadedByPath.get(f.path);
      if (!loaded) continue;
      await checkLoaded(root, f, loaded);
      unchanged.push(loaded);
    }
  }
  const allowed = settings.files && new Set(settings.files);
  const pending = found.filter((f) => !loadedByPath.has(f.path) && (!allowed || allowed.has(f.path)));
  const notices = summary(settings, found, pending, ledger);
  let nextId = Math.max(0, ...ledger.batches.map((b) => b.id)) + 1;
  const fresh = (files: readonly LandingFile[], fullRefresh: boolean, location: Record<string, string>): Batch =>
    ({ id: nextId++, fullRefresh, files, isNew: true, done: [], location });
  if (settings.fullRefresh && canCreate) {
    // every file as it is now: the landing copy when there is one (hashed again), else the archived one
    const inLanding = new Set(found.map((f) => f.path));
    const archived = ledger.files.filter((f) => !inLanding.has(f.path)).map((f) => ({ file: f as LandingFile, at: locate(root, settings, f, f.batchId) }));
    const current = await hashAll(root, found);
    const all = [...archived.map((o) => o.file), ...current].sort((a, b) => (a.path < b.path ? -1 : 1));
    const location = Object.fromEntries([...archived.map((o) => [o.file.path, o.at]), ...current.map((p) => [p.path, p.path])]);
    return { batches: chunks(all, settings.batchSize).map((files, i) => fresh(files, i === 0, location)), notices, unchanged: [] };
  }
  const ids = new Set(steps.map((s) => s.id));
  const unfinished = ledger.batches.map((b) => {
    const done = ledger.stepBatches.filter((d) => d.batchId === b.id && ids.has(d.step)).map((d) => d.step);
    const files = ledger.files.filter((f) => f.batchId === b.id);
    return { b, done, files };
  }).filter(({ done }) => done.length < ids.size);
  const batches: Batch[] = unfinished.map(({ b, done, files }) => ({
    id: b.id, fullRefresh: b.fullRefresh, files, isNew: false, done,
    location: Object.fromEntries(files.map((f) => [f.path, locate(root, settings, f, b.id)])),
  }));
  if (canCreate && pending.length > 0) {
    const hashed = await hashAll(root, pending);
    const location = Object.fromEntries(hashed.map((f) => [f.path, f.path]));
    batches.push(...chunks(hashed, settings.batchSize).map((files) => fresh(files, false, location)));
  }
  return { batches, notices, unchanged };
}
