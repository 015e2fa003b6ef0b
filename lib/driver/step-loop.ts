// The step loop: render -> execute -> log, one step at a time, the next worker started early. A run of
// consecutive incremental steps repeats for each batch (see batches.ts); a failure, time-out or Ctrl-C
// stops the loop and the rest is `skipped`.
import { join, resolve } from 'node:path';
import type nunjucks from 'nunjucks';
import { BatchError, TemplateError } from '../errors.js';
import { archiveFiles } from './archive.js';
import { planBatches } from './batches.js';
import { executeStep, type Purpose, type StatementProgress, type Worker } from './spawn.js';
import { WarmWorker } from './warm-worker.js';
import { logStep } from '../logs/step-logs.js';
import { batchContext } from '../render/batch-context.js';
import { renderStep } from '../render/render.js';
import { maskOutcome } from '../render/secrets.js';
import type { TemplateContext } from '../render/template.js';
import { logAssertions } from './assertion-phase.js';
import { mark } from '../trace.js';
import { succeeded, type Assertion, type Batch, type LandingFile, type Ledger, type LedgerJob, type Project, type Settings, type Step, type StepOutcome, type StepReport } from '../types.js';

export interface StepEvents {
  onStepStart?(step: Step, batch?: Unit['batch']): void;
  onStepEnd?(report: StepReport): void;
  onHeartbeat?(step: Step, elapsedMs: number): void;
  onProgress?(step: Step, progress: StatementProgress): void;
  onOutput?(step: Step, line: string): void;
  onNotice?(line: string): void;
}

export interface StepLoop {
  readonly project: Project;
  readonly settings: Settings;
  readonly env: nunjucks.Environment;
  readonly context: TemplateContext;
  readonly tmp: string;
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly scripts: ReadonlyMap<string, string>; // steps/NN_name.ts -> its compiled .js
  readonly gates: ReadonlyMap<string, readonly Assertion[]>; // step id -> the assertions run before its COMMIT
  readonly events?: StepEvents;
  readonly heartbeatMs?: number;
}

/** One step to run: a plain step, or an incremental step on one batch. */
export interface Unit {
  readonly step: Step;
  readonly batch?: { readonly batch: Batch; readonly number: number; readonly of: number };
}

async function runOne(loop: StepLoop, unit: Unit, worker: Worker): Promise<StepOutcome> {
  const { project, settings, events } = loop;
  const { step, batch } = unit;
  const context = { ...loop.context, step: { number: step.number, name: step.name }, batch: batch && batchContext(batch.batch, settings.inputs, batch.number, batch.of) };
  let files;
  try {
    files = renderStep(loop.env, project.root, step.files, context, `logs/compiled/${step.id}`);
  } catch (error) {
    worker.cancel();
    if (!(error instanceof TemplateError)) throw error;
    return { status: 'failed', statements: [], error: error.toStepError() };
  }
  mark(`step ${step.id}: rendered`);
  const job = {
    kind: 'step' as const, database: resolve(project.root, settings.database), threads: settings.threads, memoryLimit: settings.memoryLimit,
    lockTimeoutMs: settings.lockTimeoutMs, step: { number: step.number, name: step.name, id: step.id }, vars: settings.vars, files,
    script: step.script ? loop.scripts.get(step.script) : undefined, scriptSource: step.script ? join(project.root, step.script) : undefined,
    projectRoot: project.root, resultPath: join(loop.tmp, `${step.id}.json`),
    ledger: batch && { step: step.id, runId: loop.runId, batch: batch.batch },
    assertions: loop.gates.get(step.id), failuresDir: join(project.root, 'logs', 'test_failures'),
  };
  return executeStep(job, {
    timeoutMs: settings.stepTimeoutMs, signal: loop.signal, heartbeatMs: loop.heartbeatMs,
    onHeartbeat: events?.onHeartbeat && ((ms) => events.onHeartbeat!(step, ms)),
    onProgress: events?.onProgress && ((p) => events.onProgress!(step, p)),
    onOutput: events?.onOutput && ((line) => events.onOutput!(step, line)),
  }, worker);
}

function report(unit: Unit, outcome: StepOutcome, handedOver: Date): StepReport {
  const finishedAt = new Date();
  // a worker started just now (first step, or after a script step) boots on the step's clock: count
  // from the moment it had the job, so `logs` compares the step's work, not process start-up
  const startedAt = new Date(Math.max(handedOver.getTime(), Math.min(outcome.stats?.receivedAt ?? 0, finishedAt.getTime())));
  const committed = outcome.status === 'ok' ? outcome.statements : outcome.statements.slice(0, outcome.committedStatements ?? 0);
  const batch = unit.batch?.batch;
  return {
    step: unit.step, status: outcome.status, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(), statements: outcome.statements, error: outcome.error, stats: outcome.stats,
    rowsChanged: committed.reduce((sum, s) => sum + s.rowsChanged, 0),
    committedFiles: outcome.status === 'ok' ? [] : [...new Set(committed.map((s) => s.file))],
    batch: batch && { id: batch.id, files: batch.files.length, fullRefresh: batch.fullRefresh },
    assertions: outcome.assertions,
  };
}

/** Consecutive incremental steps form one group (run per batch); every other step is a group of one. */
function groupSteps(steps: readonly Step[]): Step[][] {
  const groups: Step[][] = [];
  for (const step of steps) {
    const last = groups.at(-1);
    if (step.incremental && last?.[0].incremental) last.push(step);
    else groups.push([step]);
  }
  return groups;
}

const blank = (step: Step, status: StepReport['status'], error?: StepReport['error']): StepReport => ({ step, status, durationMs: 0, statements: [], rowsChanged: 0, error });

/** Reads the ledger with a (warm) worker: the driver never opens the database itself. */
async function readLedger(loop: StepLoop, worker: Worker): Promise<Ledger> {
  const job: LedgerJob = { kind: 'ledger', database: resolve(loop.project.root, loop.settings.database), projectRoot: loop.project.root, resultPath: join(loop.tmp, 'ledger.json'), lockTimeoutMs: loop.settings.lockTimeoutMs };
  const answer = await worker.run<Ledger>(job, { signal: loop.signal });
  if ('result' in answer) return answer.result;
  throw new BatchError(`cannot read the batch ledger: ${answer.died.message}`, { hint: answer.died.hint });
}

/** The units of an incremental group, or the reports that say why there are none. */
async function planGroup(loop: StepLoop, group: Step[], warm: WarmWorker, ahead: readonly Purpose[]): Promise<{ units: Unit[]; reports: StepReport[] }> {
  const { project, settings } = loop;
  const incremental = project.steps.filter((s) => s.incremental).map((s) => s.id);
  try {
    const reader = await warm.take();
    warm.ensure(ahead); // the group's first step boots while the ledger is read
    const ledger = await readLedger(loop, reader);
    const plan = await planBatches(project.root, settings, ledger, group, group[0].id === incremental[0]);
    archiveFiles(project.root, settings, completeFiles(ledger, incremental, plan.unchanged)); // after a crash between commit and move
    for (const line of plan.notices) loop.events?.onNotice?.(line);
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

/** Unchanged landing files of ledger batches every incremental step has committed: archivable. */
function completeFiles(ledger: Ledger, incremental: readonly string[], unchanged: readonly LandingFile[]) {
  const done = (id: number) => incremental.every((step) => ledger.stepBatches.some((d) => d.batchId === id && d.step === step));
  const ids = new Map(ledger.files.map((f) => [f.path, f.batchId]));
  return unchanged.filter((f) => done(ids.get(f.path) ?? -1));
}

/** Archives a batch once this run's units for it all succeeded and no incremental step still lacks it. */
function archiveIfComplete(loop: StepLoop, unit: Unit, units: readonly Unit[], reports: readonly StepReport[]): void {
  const b = unit.batch?.batch;
  if (!b || !loop.settings.archive || [...units].reverse().find((u) => u.batch?.batch.id === b.id) !== unit) return;
  const incremental = loop.project.steps.filter((s) => s.incremental).map((s) => s.id);
  const ranOk = new Set(reports.filter((r) => r.batch?.id === b.id && r.status === 'ok').map((r) => r.step.id));
  if (incremental.every((id) => b.done.includes(id) || ranOk.has(id))) archiveFiles(loop.project.root, loop.settings, b.files);
}

/** What the next workers will do, in order: `units` more units of this group, then each later group's
 * first (an incremental group reads the ledger first, then runs a unit), then `after`. */
function upcoming(units: number, laterGroups: readonly Step[][], after: readonly Purpose[]): Purpose[] {
  const steps = units + laterGroups.reduce((n, group) => n + (group[0].incremental ? 2 : 1), 0);
  return [...Array<Purpose>(steps).fill('step'), ...after];
}

/** Runs the steps in order and logs each; returns the reports and the workers pre-started for `after`
 * (the assertions, the publish phase), in that order. */
export async function runSteps(loop: StepLoop, steps: readonly Step[], runId: string, after: readonly Purpose[] = []) {
  const logsDir = join(loop.project.root, 'logs');
  const warm = new WarmWorker(loop.project.root);
  const reports: StepReport[] = [];
  const log = (r: StepReport) => {
    reports.push(r);
    logStep(logsDir, runId, r);
    if (r.assertions?.length) logAssertions(logsDir, runId, r.assertions, r.step.id);
  };
  const failed = () => reports.some((r) => !succeeded(r.status));
  const groups = groupSteps(steps);
  try {
    if (steps.length > 0) warm.ensure(upcoming(0, groups, after));
    for (const [g, group] of groups.entries()) {
      if (failed()) { group.forEach((s) => log(blank(s, 'skipped'))); continue; }
      const planned = group[0].incremental ? await planGroup(loop, group, warm, upcoming(1, groups.slice(g + 1), after)) : { units: [{ step: group[0] }], reports: [] };
      for (const r of planned.reports) {
        log(r);
        if (r.status !== 'skipped') loop.events?.onStepEnd?.(r);
      }
      const { units } = planned;
      for (const [i, unit] of units.entries()) {
        if (failed()) {
          const rest = new Set(units.slice(i).map((u) => u.step)); // once per step, not per batch left
          rest.forEach((s) => log(blank(s, 'skipped')));
          break;
        }
        loop.events?.onStepStart?.(unit.step, unit.batch);
        const worker = await warm.take();
        warm.ensure(upcoming(units.length - i - 1, groups.slice(g + 1), after)); // they boot while this step runs
        const handedOver = new Date();
        mark(`step ${unit.step.id}: start`);
        const r = report(unit, maskOutcome(await runOne(loop, unit, worker)), handedOver);
        mark(`step ${unit.step.id}: answered`);
        log(r);
        loop.events?.onStepEnd?.(r);
        if (r.status === 'ok') archiveIfComplete(loop, unit, units, reports);
      }
    }
  } catch (error) {
    warm.cancel();
    throw error;
  }
  const ok = !failed();
  if (!ok) warm.cancel();
  return { reports, ok, next: warm.release() };
}
