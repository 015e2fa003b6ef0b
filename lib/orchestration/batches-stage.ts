// The batches stage: consecutive incremental steps, run once per batch. Its first action reads the ledger
// (in a worker: the driver never opens the warehouse) and plans the batches (batches.ts); then each step
// runs on each batch it has not committed, and a batch every incremental step committed is archived.
import { BatchError } from '../errors.js';
import type { Assertion, LandingFile, Ledger, Step } from '../model.js';
import type { WorkerProcess } from '../processes/worker-process.js';
import { succeeded, type StepReport } from '../results.js';
import { archiveFiles } from './archive.js';
import { planBatches } from './batches.js';
import { blank, connectionOf, recordStep, type RunContext, type Unit } from './run-context.js';
import { runUnit } from './step-unit.js';

export interface BatchesStage {
  readonly steps: readonly Step[];
  readonly gates: ReadonlyMap<string, readonly Assertion[]>;
  readonly createsBatches: boolean;
}

/** Reads the ledger with a warm worker. */
async function readLedger(run: RunContext, worker: WorkerProcess): Promise<Ledger> {
  const answer = await run.pool.run({ kind: 'ledger', connection: connectionOf(run.project, run.settings) }, { signal: run.signal }, worker);
  if ('result' in answer) return answer.result;
  throw new BatchError(`cannot read the batch ledger: ${answer.died.message}`, { hint: answer.died.hint });
}

/** Unchanged landing files of ledger batches every incremental step has committed: archivable. */
function completeFiles(ledger: Ledger, incremental: readonly string[], unchanged: readonly LandingFile[]) {
  const done = (id: number) => incremental.every((step) => ledger.stepBatches.some((d) => d.batchId === id && d.step === step));
  const ids = new Map(ledger.files.map((f) => [f.path, f.batchId]));
  return unchanged.filter((f) => done(ids.get(f.path) ?? -1));
}

/** The units of the stage, or the reports that say why there are none. `ahead`: the workers to warm once
 * the ledger reader is taken (the first unit's, and the later stages'). */
async function planUnits(run: RunContext, stage: BatchesStage, ahead: () => void): Promise<{ units: Unit[]; reports: StepReport[] }> {
  const { project, settings } = run;
  const group = stage.steps;
  const incremental = project.steps.filter((s) => s.incremental).map((s) => s.id);
  try {
    const reader = await run.pool.take();
    ahead(); // the group's first step boots while the ledger is read
    const ledger = await readLedger(run, reader);
    const plan = await planBatches(project.root, settings, ledger, group, stage.createsBatches);
    archiveFiles(project.root, settings, completeFiles(ledger, incremental, plan.unchanged)); // after a crash between commit and move
    for (const line of plan.notices) run.events?.onNotice?.(line);
    if (plan.batches.length === 0) return { units: [], reports: group.map((s) => blank(s, 'up to date')) };
    // only the first step to process a new batch records it; the steps after it find it in the ledger
    const units = plan.batches.flatMap((batch, i) => group.filter((s) => !batch.done.includes(s.id))
      .map((step, k) => ({ step, batch: { batch: k === 0 ? batch : { ...batch, isNew: false }, number: i + 1, of: plan.batches.length } })));
    return { units, reports: [] };
  } catch (error) {
    if (!(error instanceof BatchError)) throw error;
    return { units: [], reports: [blank(group[0], 'failed', error.toStepError()), ...group.slice(1).map((s) => blank(s, 'skipped'))] };
  }
}

/** Archives a batch once this run's units for it all succeeded and no incremental step still lacks it. */
function archiveIfComplete(run: RunContext, unit: Unit, units: readonly Unit[], reports: readonly StepReport[]): void {
  const b = unit.batch?.batch;
  if (!b || !run.settings.archive || [...units].reverse().find((u) => u.batch?.batch.id === b.id) !== unit) return;
  const incremental = run.project.steps.filter((s) => s.incremental).map((s) => s.id);
  const ranOk = new Set(reports.filter((r) => r.batch?.id === b.id && r.status === 'ok').map((r) => r.step.id));
  if (incremental.every((id) => b.done.includes(id) || ranOk.has(id))) archiveFiles(run.project.root, run.settings, b.files);
}

/** Runs the stage; `ahead(unitsLeft)` keeps workers warming for what follows. Returns its step reports. */
export async function runBatchesStage(run: RunContext, stage: BatchesStage, ahead: (unitsLeft: number) => void): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  const log = (r: StepReport, notify = true) => {
    reports.push(r);
    recordStep(run, r);
    if (notify) run.events?.onStepEnd?.(r);
  };
  const planned = await planUnits(run, stage, () => ahead(1));
  for (const r of planned.reports) log(r, r.status !== 'skipped');
  const { units } = planned;
  for (const [i, unit] of units.entries()) {
    if (reports.some((r) => !succeeded(r.status))) {
      new Set(units.slice(i).map((u) => u.step)).forEach((s) => log(blank(s, 'skipped'), false)); // once per step, not per batch left
      break;
    }
    run.events?.onStepStart?.(unit.step, unit.batch);
    const worker = await run.pool.take();
    ahead(units.length - i - 1); // they boot while this step runs
    const r = await runUnit(run, unit, stage.gates.get(unit.step.id) ?? [], worker);
    log(r);
    if (r.status === 'ok') archiveIfComplete(run, unit, units, reports);
  }
  return reports;
}
