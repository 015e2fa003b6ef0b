// What `list` (and watch, as it starts) sees of the inputs: each one's files in landing and archive, how
// many the warehouse holds, which are pending. A ledger that cannot be read is an error, never "0 loaded".
import type { Ledger, Settings } from '../model.js';
import type { InputFreshness } from '../results.js';
import { scanStore, type FoundFile, type Store } from '../project/inputs.js';
import { ledgerOf } from './read-ledger.js';
import { freshnessOf } from './freshness.js';
import { adoptLegacy } from './legacy.js';

export interface InputState {
  readonly input: string;
  readonly glob: string;
  readonly loaded: number;
  readonly archived: number; // files of the input in its archive folder
  readonly pending: readonly string[]; // where each pending file is (landing, or the archive for a fresh warehouse)
  readonly badNames: readonly string[]; // files whose name is not valid UTF-8: they cannot be loaded until renamed
  readonly freshness: InputFreshness; // how old its newest file is
}

/** The store and the files of it the warehouse does not hold yet. */
export async function pendingFiles(
  root: string,
  settings: Settings,
  missingOk = false,
): Promise<{ ledger: Ledger; store: Store; pending: FoundFile[] }> {
  const store = scanStore(root, settings, missingOk);
  const ledger = adoptLegacy(await ledgerOf(root, settings), store);
  const loaded = new Set(ledger.files.map((f) => f.path));
  return { ledger, store, pending: store.files.filter((f) => !loaded.has(f.path)) };
}

/** Each input's state: the ledger compared with the store (landing ∪ archive). */
export async function inputStates(root: string, settings: Settings): Promise<InputState[]> {
  if (Object.keys(settings.inputs).length === 0) return [];
  const { ledger, store, pending } = await pendingFiles(root, settings, true); // a folder a step creates may not be there yet
  const freshness = await freshnessOf(root, settings, { ledger });
  return Object.entries(settings.inputs).map(([input, glob]) => ({
    input,
    glob,
    loaded: ledger.files.filter((f) => f.input === input).length,
    archived: store.files.filter((f) => f.input === input && f.at !== f.path).length,
    pending: pending.filter((f) => f.input === input).map((f) => f.at),
    badNames: store.badNames.filter((b) => b.input === input).map((b) => b.at),
    freshness: freshness.find((f) => f.input === input)!,
  }));
}
