// The batches stage: consecutive incremental steps, run once per batch. Its first action reads the ledger
// (in a worker: the driver never opens the warehouse) and plans the batches (batches.ts); then each step
// runs on each batch it has not committed (a new batch is sealed — hashed — just before its first step),
// and a batch every incremental step committed is archived.
import { BatchError } from '../../errors.js';
import type { Assertion, Batch, Ledger, Step } from '../../model.js';
import type { WorkerProcess } from '../../processes/worker-process.js';
import { succeeded, type StepReport } from '../../results.js';
import { archiveFiles } from '../../incremental/archive.js';
import { planBatches } from '../../incremental/plan-batches.js';
import { blank, connectionOf, skipSteps, type RunContext, type StepRun } from '../context.js';
import { contentIndex, type ContentIndex } from '../../incremental/seal.js';
import { mergeRefreshes, prepare } from './batch-units.js';
import { runStepRun } from './step.js';
import type { StageRunner } from './table.js';

export interface BatchesStage {
  readonly steps: readonly Step[];
  readonly gates: ReadonlyMap<string, readonly Assertion[]>;
  readonly createsBatches: boolean;
}

/** Reads the ledger with a warm worker. */
async function readLedger(run: RunContext, worker: WorkerProcess): Promise<Ledger> {
  const answer = await run.pool.run(
    { kind: 'ledger', connection: connectionOf(run.project, run.settings) },
    { signal: run.signal },
    worker,
  );
  if (!('result' in answer))
    throw new BatchError(`cannot read the batch ledger: ${answer.died.message}`, { hint: answer.died.hint });
  if ('error' in answer.result) throw new BatchError(answer.result.error.message, { hint: answer.result.error.hint });
  return answer.result.ledger;
}

const incrementalIds = (run: RunContext) => run.project.steps.filter((s) => s.incremental).map((s) => s.id);
const warn = (run: RunContext, lines: readonly string[]) => {
  for (const line of lines) run.events.onWarning?.(line);
};

/** Ledger files still in landing whose batch every incremental step has committed: archivable. */
function completeFiles(
  ledger: Ledger,
  incremental: readonly string[],
  inLanding: ReadonlyArray<Ledger['files'][number]>,
) {
  const committed = new Set(ledger.stepBatches.map((d) => `${d.step} ${d.batchId}`));
  return inLanding.filter((f) => incremental.every((step) => committed.has(`${step} ${f.batchId}`)));
}

interface Planned {
  readonly units: StepRun[];
  readonly reports: StepReport[];
  readonly index: ContentIndex;
}

/** The units of the stage, or the reports that say why there are none. `ahead`: the workers to warm once
 * the ledger reader is taken (the first unit's, and the later stages'). */
async function planUnits(run: RunContext, stage: BatchesStage, ahead: () => void): Promise<Planned> {
  const { project, settings } = run;
  const group = stage.steps;
  try {
    const reader = await run.pool.take();
    ahead(); // the group's first step boots while the ledger is read
    const ledger = await readLedger(run, reader);
    const before = project.steps.filter((s) => s.incremental && s.number < group[0].number).map((s) => s.id);
    const plan = await planBatches(project.root, settings, ledger, group, stage.createsBatches, before, run.signal);
    for (const line of plan.notices) run.events.onNotice?.(line);
    warn(run, plan.warnings);
    warn(
      run,
      await archiveFiles(project.root, settings, completeFiles(plan.ledger, incrementalIds(run), plan.inLanding)),
    ); // after a crash between commit and move
    const index = contentIndex(plan.ledger);
    if (plan.batches.length === 0) return { units: [], reports: group.map((s) => blank(s, 'up to date')), index };
    const units = plan.batches.flatMap((batch, i) =>
      group
        .filter((s) => !batch.done.includes(s.id))
        .map((step) => ({ step, batch: { batch, number: i + 1, of: plan.batches.length } })),
    );
    return { units: mergeRefreshes(units), reports: [], index };
  } catch (error) {
    if (!(error instanceof BatchError)) throw error;
    const first = run.signal.aborted // Ctrl-C while the ledger was read: its worker was stopped, nothing failed
      ? blank(group[0], 'interrupted', { message: 'interrupted while the batch ledger was read' })
      : blank(group[0], 'failed', error.toStepError());
    return {
      units: [],
      reports: [first, ...group.slice(1).map((s) => blank(s, 'skipped'))],
      index: new Map(),
    };
  }
}

/** Archives a batch once this run's units for it all succeeded and no incremental step still lacks it. */
async function archiveIfComplete(
  run: RunContext,
  unit: StepRun,
  last: boolean,
  reports: readonly StepReport[],
): Promise<void> {
  const b = unit.batch?.batch;
  if (!b || !run.settings.archive || !last) return;
  const ranOk = new Set(reports.filter((r) => r.batch?.id === b.id && r.status === 'ok').map((r) => r.step.id));
  if (!incrementalIds(run).every((id) => b.done.includes(id) || ranOk.has(id))) return;
  warn(
    run,
    await archiveFiles(
      run.project.root,
      run.settings,
      b.files.filter((f) => b.location[f.path] === f.path),
    ),
  );
}

/** Runs the stage; `ahead(unitsLeft)` keeps workers warming for what follows. Returns its step reports. */
export async function runBatchesStage(
  run: RunContext,
  stage: BatchesStage,
  ahead: (unitsLeft: number) => void,
): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  const log = (r: StepReport) => {
    reports.push(r);
    run.events.onStepEnd?.(r);
  };
  const planned = await planUnits(run, stage, () => ahead(1));
  for (const r of planned.reports) log(r);
  const { units, index } = planned;
  const state = { sealed: new Map<number, Batch>(), started: new Set<number>(), index };
  for (const [i, planUnit] of units.entries()) {
    if (reports.some((r) => !succeeded(r.status))) {
      new Set(units.slice(i).map((u) => u.step)).forEach((s) => log(blank(s, 'skipped'))); // once per step, not per batch left
      break;
    }
    let unit: StepRun;
    try {
      unit = await prepare(run, planUnit, state);
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      log(blank(planUnit.step, run.signal.aborted ? 'interrupted' : 'failed', error.toStepError())); // stopped while its files were read
      continue;
    }
    run.events.onStepStart?.(unit.step, unit.batch);
    const worker = await run.pool.take();
    ahead(units.length - i - 1); // they boot while this step runs
    const r = await runStepRun(run, unit, stage.gates.get(unit.step.id) ?? [], worker);
    log(r);
    if (r.status === 'ok')
      await archiveIfComplete(
        run,
        unit,
        i === units.length - 1 || units[i + 1].batch?.batch.id !== unit.batch?.batch.id,
        reports,
      );
  }
  return reports;
}

/** Consecutive incremental steps, once per batch. */
export const batchesStage: StageRunner<'batches'> = {
  async run(run, stage, { progress, ahead }) {
    progress.steps.push(...(await runBatchesStage(run, stage, ahead)));
  },
  skip: (run, stage, progress) => skipSteps(run, stage.steps, progress),
};
