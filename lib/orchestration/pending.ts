// What `list` shows of the inputs: each one's files, how many are loaded, which are pending.
import type { Ledger, Settings } from '../model.js';
import { runJob } from '../processes/pool.js';
import { scanInputs } from '../project/inputs.js';
import { connectionOf } from './run-context.js';

export interface InputState {
  readonly input: string;
  readonly glob: string;
  readonly loaded: number;
  readonly pending: readonly string[];
}

/** Reads the ledger in a worker (read-only) and compares it with the landing folders. */
export async function inputStates(root: string, settings: Settings): Promise<InputState[]> {
  if (Object.keys(settings.inputs).length === 0) return [];
  const answer = await runJob(root, { kind: 'ledger', connection: connectionOf({ root }, settings) });
  const ledger: Ledger = 'result' in answer ? answer.result : { batches: [], files: [], stepBatches: [] };
  const loaded = new Set(ledger.files.map((f) => f.path));
  const found = scanInputs(root, settings.inputs, true); // a folder a step creates may not be there yet
  return Object.entries(settings.inputs).map(([input, glob]) => ({
    input, glob, loaded: ledger.files.filter((f) => f.input === input).length,
    pending: found.filter((f) => f.input === input && !loaded.has(f.path)).map((f) => f.path),
  }));
}
