// A ledger made before ledgers were kept per pipeline has rows no pipeline has claimed. They are this
// pipeline's when its files are: some loaded file of them is in this project's store (landing ∪ archive) at the
// same path, size and modification time. Then the run reads them as its own, and its first step claims them
// in its transaction. Another project (a second pipeline added to the warehouse) sees its own files there, not
// these, so it leaves them to their owner instead of taking the owner's batches for its own.
import { BatchError } from '../errors.js';
import type { Ledger } from '../model.js';
import type { Store } from '../project/inputs.js';
import { pipelineOf } from '../project/pipeline.js';

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
    others: ledger.others,
    batches: [...old.batches, ...ledger.batches].sort((a, b) => a.id - b.id),
    files: [...old.files, ...ledger.files],
    stepBatches: [...old.stepBatches, ...ledger.stepBatches],
    claim: true,
  };
}

/** A project without a package.json "name" is known by its folder's name, which changes when the folder moves
 * or is copied: then its batches would look like another pipeline's, and every file would load again. So when
 * such a project has no batch in a ledger other pipelines have, it stops and asks for a name. */
export function refuseUnnamedStranger(root: string, ledger: Ledger): void {
  const { name, named } = pipelineOf(root);
  const others = ledger.others ?? [];
  if (named || others.length === 0 || ledger.batches.length > 0) return;
  throw new BatchError(
    `this project has no "name" in package.json, so its pipeline is its folder's name, "${name}", and the warehouse's ledger has batches of ${others.map((o) => `"${o}"`).join(', ')} but none of "${name}"`,
    {
      hint: `if this project was ${others.length === 1 ? `"${others[0]}"` : 'one of them'} before its folder moved, set "name": "${others[0]}" in package.json (its files are not loaded twice); if it is another pipeline, give it a "name" of its own`,
    },
  );
}
