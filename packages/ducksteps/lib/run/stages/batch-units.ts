// The units of a batches stage as they run: a step that starts a refresh from tables takes its batches in one
// unit (one transaction), and each unit's batches are sealed and marked for the step before it runs.
import type { Batch, Step } from '../../model.js';
import { sealBatch, type ContentIndex } from '../../incremental/seal.js';
import type { RunContext, StepRun } from '../context.js';

const warn = (run: RunContext, lines: readonly string[]) => {
  for (const line of lines) run.events.onWarning?.(line);
};

/** A step that starts a full refresh at a batch (refreshFor) runs it and its later batches in one transaction,
 * so its table is never seen, nor gated, half rebuilt; the merged unit takes the place of the step's last one,
 * after every unit of the steps it reads. */
export function mergeRefreshes(units: readonly StepRun[]): StepRun[] {
  const start = new Map<string, number>();
  units.forEach((u, i) => {
    if (u.batch?.batch.refreshFor?.includes(u.step.id) && !start.has(u.step.id)) start.set(u.step.id, i);
  });
  return units.flatMap((u, i) => {
    const from = start.get(u.step.id);
    if (from === undefined || i < from) return [u];
    const mine = units.slice(from).filter((x) => x.step === u.step);
    if (u !== mine.at(-1)) return [];
    return [{ step: u.step, batch: { ...mine[0].batch!, through: mine.slice(1).map((x) => x.batch!.batch) } }];
  });
}

/** One batch of a unit as it runs: sealed, recorded only by the first step to process it (the steps after
 * it find it in the ledger), and a full refresh for a step that starts over there. */
async function prepareBatch(
  run: RunContext,
  step: Step,
  given: Batch,
  state: { sealed: Map<number, Batch>; started: Set<number>; index: ContentIndex },
): Promise<Batch> {
  let batch = state.sealed.get(given.id);
  if (!batch) {
    const result = await sealBatch(run.project.root, given, state.index, run.settings.duplicates, run.signal);
    warn(run, result.warnings);
    batch = result.batch;
    state.sealed.set(batch.id, batch);
  }
  const first = !state.started.has(batch.id);
  state.started.add(batch.id);
  const own = first ? batch : { ...batch, isNew: false, later: undefined, refreshFor: undefined };
  return batch.refreshFor?.includes(step.id) ? { ...own, fullRefresh: true } : own;
}

/** The unit as it runs: each of its batches prepared. */
export async function prepare(
  run: RunContext,
  unit: StepRun,
  state: { sealed: Map<number, Batch>; started: Set<number>; index: ContentIndex },
): Promise<StepRun> {
  const position = unit.batch!;
  const batch = await prepareBatch(run, unit.step, position.batch, state);
  const through: Batch[] = [];
  for (const b of position.through ?? []) through.push(await prepareBatch(run, unit.step, b, state));
  return { step: unit.step, batch: { ...position, batch, ...(through.length ? { through } : {}) } };
}
