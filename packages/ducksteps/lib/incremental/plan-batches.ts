// Plans the batches a run of incremental steps processes: the batches some of them have not committed
// yet (oldest first), then the new files of the store (landing ∪ archive), in batches of --batch-size.
// The ledger in the database says what the warehouse holds; the store says what exists. Decides only:
// the worker writes. A new batch's files are hashed just before its first step runs (seal.ts).
import { BatchError } from '../errors.js';
import { eachBounded, groupFiles, sha256Of } from '../project/fingerprint.js';
import { scanStore, storeFile, type FoundFile, type Store } from '../project/inputs.js';
import type { Batch, LandingFile, Ledger, Settings, Step } from '../model.js';
import { refreshBatches, refuseBehind } from './full-refresh.js';
import { adoptLegacy, refuseUnnamedStranger } from './legacy.js';

export interface BatchPlan {
  /** The ledger the plan was made from: the pipeline's rows (and unclaimed ones it adopts). */
  readonly ledger: Ledger;
  readonly batches: readonly Batch[];
  /** Loaded files still in landing, unchanged: the archive step can move them (a crash may have stopped it). */
  readonly inLanding: ReadonlyArray<Ledger['files'][number]>;
  /** One line per input for the console: what is loaded, what is new. */
  readonly notices: readonly string[];
  readonly warnings: readonly string[];
}

const short = (sha: string) => sha.slice(0, 12);
type Known = Ledger['files'][number];

/** Refuses a file the ledger knows whose content changed since (size or time differ: hashed again). */
async function verifyKnown(root: string, store: Store, ledger: Ledger, signal?: AbortSignal): Promise<Known[]> {
  const known = new Map(ledger.files.map((f) => [f.path, f]));
  const present = store.files.filter((f) => known.has(f.path)).map((f) => ({ f, loaded: known.get(f.path)! }));
  await eachBounded(
    present.filter(({ f, loaded }) => f.size !== loaded.size || f.mtimeMs !== loaded.mtimeMs),
    async ({ f, loaded }) => {
      const sha = await sha256Of(root, f.at, signal);
      if (sha === loaded.sha256) return;
      throw new BatchError(
        `${storeFile(f.path, f.at)} was loaded in batch ${loaded.batchId} and has changed since (sha256 ${short(loaded.sha256)}… → ${short(sha)}…)`,
        {
          hint: 'a loaded file must not change: restore it, or deliver the correction as a new file (e.g. a _v2 suffix); to rebuild from the files as they are now, run ./run.sh --full-refresh',
        },
      );
    },
  );
  return present.filter(({ f }) => f.at === f.path).map(({ loaded }) => loaded);
}

/** Refuses files whose name is not valid UTF-8: nothing can open them by that name. */
export function refuseBadNames(store: Store): void {
  const names = store.badNames.map((b) => b.at);
  if (names.length === 0) return;
  throw new BatchError(
    `landing file name${names.length === 1 ? ' is' : 's are'} not valid UTF-8: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ` (+${names.length - 5} more)` : ''} (� marks the bytes that do not decode)`,
    {
      hint: 'rename the file to a UTF-8 name (e.g. with only letters, digits, - and _); it is loaded on the next run',
    },
  );
}

function summary(settings: Settings, store: Store, pending: readonly FoundFile[], ledger: Ledger): string[] {
  return Object.keys(settings.inputs).map((input) => {
    const loaded = ledger.files.filter((f) => f.input === input).length;
    const fresh = pending.filter((f) => f.input === input).length;
    const state = fresh === 0 ? 'nothing new' : `${fresh} new file${fresh === 1 ? '' : 's'}`;
    const mine = store.files.filter((f) => f.input === input);
    const archived = mine.filter((f) => f.at !== f.path).length;
    return `${input}: ${state} (${loaded} loaded, ${mine.length - archived} in ${settings.inputs[input]}${settings.archive ? `, ${archived} archived` : ''})`;
  });
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** The ledger's batches some step of `steps` has not committed, oldest first, read from where their files
 * are now (a file gone from landing and archive has no location: only a step that reads it fails). A step with
 * a pending refresh (ledger.refreshes) has committed none, and starts over at its batch; `refresh`: every step
 * starts over at the first batch (--full-refresh of steps after the first incremental one). */
function unfinished(ledger: Ledger, steps: readonly Step[], store: Store, refresh = false): Batch[] {
  const ids = new Set(steps.map((s) => s.id));
  const at = new Map(store.files.map((f) => [f.path, f.at]));
  const first = ledger.batches[0]?.id;
  const pending = refresh
    ? new Map([...ids].map((id) => [id, first]))
    : new Map((ledger.refreshes ?? []).filter((r) => ids.has(r.step)).map((r) => [r.step, r.batchId]));
  const doneBy = groupBy(
    ledger.stepBatches.filter((d) => ids.has(d.step) && !pending.has(d.step)),
    (d) => d.batchId,
  );
  const filesOf = groupBy(ledger.files, (f) => f.batchId);
  return ledger.batches.flatMap((b) => {
    const done = (doneBy.get(b.id) ?? []).map((d) => d.step);
    if (done.length >= ids.size) return [];
    const files: LandingFile[] = filesOf.get(b.id) ?? [];
    const location = Object.fromEntries(files.filter((f) => at.has(f.path)).map((f) => [f.path, at.get(f.path)!]));
    const refreshFor = [...pending].filter(([, id]) => id === b.id).map(([step]) => step);
    const batch: Batch = { id: b.id, fullRefresh: b.fullRefresh, files, isNew: false, done, location, sealed: true };
    return [refreshFor.length ? { ...batch, refreshFor } : batch];
  });
}

/** The batches for a run of consecutive incremental steps. `canCreate`: it starts at the project's first
 * incremental step, so new files may become new batches (a later step alone only catches up). A full refresh
 * of later steps (`!canCreate`) processes every batch of the ledger again, from what `upstream` (the
 * incremental steps before them) wrote. `signal` stops the
 * files' reading (a BatchError). */
export async function planBatches(
  root: string,
  settings: Settings,
  read: Ledger,
  steps: readonly Step[],
  canCreate: boolean,
  upstream: readonly string[] = [],
  signal?: AbortSignal,
): Promise<BatchPlan> {
  const store = scanStore(root, settings);
  refuseBadNames(store);
  const ledger = adoptLegacy(read, store);
  refuseUnnamedStranger(root, ledger);
  const claim = (batches: readonly Batch[]) => (ledger.claim ? batches.map((b) => ({ ...b, claim: true })) : batches);
  if (settings.fullRefresh && !canCreate) {
    refuseBehind(ledger, upstream, steps);
    const batches = claim(unfinished(ledger, steps, store, true));
    return { ledger, batches, inLanding: [], notices: [], warnings: [] };
  }
  const ids = [...ledger.batches, ...(ledger.unclaimed?.batches ?? [])]; // never an unclaimed batch's id again
  const nextId = ids.reduce((max, b) => Math.max(max, b.id), 0) + 1;
  if (settings.fullRefresh && canCreate) {
    const refresh = await refreshBatches(root, settings, ledger, store, nextId, signal);
    return {
      ledger,
      batches: claim(refresh.batches),
      inLanding: [],
      notices: summary(settings, store, [], ledger),
      warnings: refresh.warnings,
    };
  }
  const inLanding = await verifyKnown(root, store, ledger, signal);
  const known = new Set(ledger.files.map((f) => f.path));
  const allowed = settings.files && new Set(settings.files);
  const pending = store.files.filter((f) => !known.has(f.path) && (!allowed || allowed.has(f.path)));
  const batches = unfinished(ledger, steps, store);
  if (canCreate) {
    const groups = await groupFiles(root, pending, settings.batchSize);
    batches.push(
      ...groups.map((files, i): Batch => ({
        id: nextId + i,
        fullRefresh: false,
        isNew: true,
        done: [],
        sealed: false,
        files: files.map((f) => ({ input: f.input, path: f.path, size: f.size, mtimeMs: f.mtimeMs, sha256: '' })),
        location: Object.fromEntries(files.map((f) => [f.path, f.at])),
      })),
    );
  }
  return {
    ledger,
    batches: claim(batches),
    inLanding,
    notices: summary(settings, store, pending, ledger),
    warnings: [],
  };
}
