// A ledger made before ledgers were kept per pipeline has rows no pipeline has claimed. They are this
// pipeline's when its files are: some loaded file of them is in this project's store (landing ∪ archive) at the
// same path, size and modification time. Then the run reads them as its own, and its first step claims them
// in its transaction. Another project (a second pipeline added to the warehouse) sees its own files there, not
// these, so it leaves them to their owner instead of taking the owner's batches for its own.
import type { Ledger } from '../model.js';
import type { Store } from '../project/inputs.js';

/** The ledger this run works with: its pipeline's rows, plus the unclaimed ones when they are its own. */
export function adoptLegacy(ledger: Ledger, store: Store): Ledger {
  const old = ledger.unclaimed;
  if (!old || old.batches.length + old.files.length + old.stepBatches.length === 0) return ledger;
  const here = new Map(store.files.map((f) => [f.path, f]));
  const ours = old.files.some((f) => {
    const found = here.get(f.path);
    return found !== undefined && found.size === f.size && found.mtimeMs === f.mtimeMs;
  });
  if (!ours) return ledger;
  return {
    batches: [...old.batches, ...ledger.batches].sort((a, b) => a.id - b.id),
    files: [...old.files, ...ledger.files],
    stepBatches: [...old.stepBatches, ...ledger.stepBatches],
    claim: true,
  };
}
