// `--full-refresh`: every file of the store (landing ∪ archive, as it is now) in new batches, the first of
// which empties the incremental steps' tables. Its first transaction records ALL the refresh's batches in
// the ledger, so a refresh that fails or is killed after it is resumed like any unfinished batch, and the
// warehouse never forgets a file. It never shrinks what the ledger knows: a loaded file gone from landing
// and archive is refused, unless --forget-missing says to rebuild without it. A refresh of later incremental
// steps (from the tables they read) needs every batch committed by the steps before them.
import { BatchError } from '../errors.js';
import type { Batch, Ledger, Settings, Step } from '../model.js';
import { groupFiles } from '../project/fingerprint.js';
import type { Store } from '../project/inputs.js';
import { sealBatch, type ContentIndex } from './seal.js';

const listed = (paths: readonly string[]) =>
  `${paths.slice(0, 5).join(', ')}${paths.length > 5 ? ` (+${paths.length - 5} more)` : ''}`;

/** Loaded files whose content is nowhere in the store: neither in landing nor in the archive, under their
 * name or another (`contents`: the store's files' SHA-256). */
function gone(settings: Settings, ledger: Ledger, store: Store, contents: ReadonlySet<string>): string[] {
  const present = new Set(store.files.map((f) => f.path));
  const missing = ledger.files
    .filter((f) => !f.duplicateOf && !present.has(f.path) && !contents.has(f.sha256))
    .map((f) => `${f.path} (batch ${f.batchId})`);
  if (missing.length === 0 || settings.forgetMissing) return missing;
  throw new BatchError(
    `a full refresh rebuilds from every file the warehouse holds, and ${missing.length} of them ${missing.length === 1 ? 'is' : 'are'} neither in landing nor in the archive: ${listed(missing)}`,
    {
      hint: `put ${missing.length === 1 ? 'it' : 'them'} back (in landing or in the archive); if lost for good, ./run.sh --full-refresh --forget-missing rebuilds without ${missing.length === 1 ? 'it' : 'them'} (their rows leave the warehouse)`,
    },
  );
}

/** The refresh's batches, all sealed; the first carries the others (`later`) for the ledger. */
export async function refreshBatches(
  root: string,
  settings: Settings,
  ledger: Ledger,
  store: Store,
  nextId: number,
  signal?: AbortSignal,
): Promise<{ batches: Batch[]; warnings: string[] }> {
  const warnings: string[] = [];
  const groups = await groupFiles(root, store.files, settings.batchSize);
  const index: ContentIndex = new Map();
  const batches: Batch[] = [];
  for (const [i, group] of (groups.length ? groups : [[]]).entries()) {
    const draft: Batch = {
      id: nextId + i,
      fullRefresh: i === 0,
      isNew: i === 0,
      done: [],
      sealed: false,
      files: group.map((f) => ({ input: f.input, path: f.path, size: f.size, mtimeMs: f.mtimeMs, sha256: '' })),
      location: Object.fromEntries(group.map((f) => [f.path, f.at])),
    };
    const sealed = await sealBatch(root, draft, index, settings.duplicates, signal);
    warnings.push(...sealed.warnings);
    batches.push(sealed.batch);
  }
  const missing = gone(settings, ledger, store, new Set(batches.flatMap((b) => b.files.map((f) => f.sha256))));
  if (missing.length)
    warnings.unshift(
      `--forget-missing: rebuilding without ${missing.length} loaded file${missing.length === 1 ? '' : 's'} gone from landing and archive: ${listed(missing)}`,
    );
  const [first, ...rest] = batches;
  return { batches: [{ ...first, later: rest }, ...rest], warnings };
}

/** Refuses a refresh of later steps while an incremental step before them lacks a batch: they would be
 * rebuilt from what it has not written yet. */
export function refuseBehind(ledger: Ledger, upstream: readonly string[], steps: readonly Step[]): void {
  const committed = new Set(ledger.stepBatches.map((d) => `${d.step} ${d.batchId}`));
  for (const id of upstream) {
    const missing = ledger.batches.find((b) => !committed.has(`${id} ${b.id}`));
    if (missing)
      throw new BatchError(
        `--full-refresh rebuilds ${steps.map((s) => s.id).join(', ')} from what ${id} wrote, and ${id} has not committed batch ${missing.id} yet`,
        {
          hint: `finish the batches first (./run.sh --resume, or ./run.sh --to ${id}), then run the full refresh again`,
        },
      );
  }
}
