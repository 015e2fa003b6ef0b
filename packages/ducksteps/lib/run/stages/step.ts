// The step stage, and one run of a step (a step, or an incremental step on one batch): render its files, hand
// the job to a worker, and turn the outcome (or the worker's death) into the step's report.
import { join } from 'node:path';
import { logsOf } from '../../warehouse.js';
import { TemplateError } from '../../errors.js';
import type { StepJob } from '../../protocol.js';
import type { WorkerProcess } from '../../processes/worker-process.js';
import type { Assertion, Batch } from '../../model.js';
import type { StepOutcome, StepReport } from '../../results.js';
import { batchContext } from '../../render/batch-context.js';
import { renderStep } from '../../render/render.js';
import { maskOutcome } from '../../render/secrets.js';
import { mark } from '../../trace.js';
import { connectionOf, skipSteps, upToDate, type RunContext, type StepRun } from '../context.js';
import type { StageRunner } from './table.js';

/** The step's files rendered for one batch (or none). */
function filesFor(run: RunContext, stepRun: StepRun, batch?: Batch) {
  const { step } = stepRun;
  const context = {
    ...run.context,
    engine: step.local ? ('duckdb' as const) : run.context.engine,
    step: { number: step.number, name: step.name },
    batch: batch && batchContext(batch, run.settings.inputs, stepRun.batch!.number, stepRun.batch!.of),
  };
  return renderStep(run.env, run.project.root, step.files, context, `logs/compiled/${step.id}`);
}

/** Renders the step's files into its job; a template error is the step's failure. */
function jobOf(run: RunContext, stepRun: StepRun, gates: readonly Assertion[]): StepJob | StepOutcome {
  const { project, settings } = run;
  const { step, batch } = stepRun;
  const ledgerOf = (b: Batch) => ({ step: step.id, runId: run.runId, batch: b });
  try {
    const more = (batch?.through ?? []).map((b) => ({ files: filesFor(run, stepRun, b), ledger: ledgerOf(b) }));
    const files = filesFor(run, stepRun, batch?.batch); // last: logs/compiled/ shows the first batch's SQL
    const connection = step.local
      ? {
          warehouse: { engine: 'duckdb' as const, path: ':memory:', extensionDir: settings.extensionDir },
          pipeline: connectionOf(project, settings).pipeline,
          threads: settings.threads,
          memoryLimit: settings.memoryLimit,
        }
      : connectionOf(project, settings);
    return {
      kind: 'step',
      connection,
      step: { number: step.number, name: step.name, id: step.id },
      vars: settings.vars,
      files,
      script: step.script ? run.scripts.get(step.script) : undefined,
      scriptSource: step.script ? join(project.root, step.script) : undefined,
      ledger: batch && ledgerOf(batch.batch),
      gates,
      ...(settings.recheck ? { recheck: true } : {}),
      fence: step.local ? undefined : run.fence,
      failuresDir: join(logsOf(project.root, run.settings), 'test_failures'),
      state: run.state.job(step, files),
      runId: run.runId,
      onSchemaChange: step.onSchemaChange ?? settings.onSchemaChange,
      contracts: step.contracts,
      readers: run.readers,
      ...(run.deferred && !step.local ? { deferred: run.deferred.get(step.id) ?? [] } : {}),
      ...(more.length ? { more } : {}),
    };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return { status: 'failed', statements: [], committed: [], error: error.toStepError() };
  }
}

/** Runs the job on `worker`; a worker that dies, times out or is interrupted is a step outcome saying so. */
async function execute(run: RunContext, stepRun: StepRun, job: StepJob, worker: WorkerProcess): Promise<StepOutcome> {
  const { events, settings } = run;
  const { step } = stepRun;
  const answer = await run.pool.run(
    job,
    {
      timeoutMs: settings.stepTimeoutMs,
      signal: run.signal,
      heartbeatMs: run.heartbeatMs,
      onHeartbeat: events.onHeartbeat && ((ms) => events.onHeartbeat!(step, ms)),
      onProgress: events.onProgress && ((p) => events.onProgress!(step, p)),
      onOutput: events.onOutput && ((line) => events.onOutput!(step, line)),
    },
    worker,
  );
  if ('result' in answer) return answer.result;
  const seconds = `${(answer.elapsedMs / 1000).toFixed(1)} s`;
  const none = { statements: [], committed: [] };
  if (answer.stopped === 'timeout') {
    return {
      status: 'timed out',
      ...none,
      error: {
        message: `the step timed out after ${seconds} (--step-timeout) and was stopped`,
        hint: 'make the step faster or raise --step-timeout',
      },
    };
  }
  if (answer.stopped === 'interrupt' || answer.died.message.includes('SIGINT'))
    return { status: 'interrupted', ...none, error: { message: `interrupted after ${seconds}` } };
  return { status: 'failed', ...none, error: answer.died };
}

function report(stepRun: StepRun, outcome: StepOutcome, handedOver: Date): StepReport {
  const finishedAt = new Date();
  // a worker started just now (first step, or after a script step) boots on the step's clock: count from
  // the moment it had the job, so `logs` compares the step's work, not process start-up (nor a wait for
  // another program's lock on the file, --lock-timeout)
  const began = (outcome.stats?.receivedAt ?? 0) + (outcome.stats?.lockWaitMs ?? 0);
  const startedAt = new Date(Math.max(handedOver.getTime(), Math.min(began, finishedAt.getTime())));
  const batch = stepRun.batch?.batch;
  const through = stepRun.batch?.through ?? [];
  return {
    step: stepRun.step,
    status: outcome.status,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    statements: outcome.statements,
    error: outcome.error,
    stats: outcome.stats,
    rowsChanged: outcome.committed.reduce((sum, s) => sum + s.rowsChanged, 0),
    committedFiles: outcome.status === 'ok' ? [] : [...new Set(outcome.committed.map((s) => s.file))],
    batch: batch && {
      id: batch.id,
      files: [batch, ...through].reduce((n, b) => n + b.files.length, 0),
      fullRefresh: batch.fullRefresh,
      ...(through.length ? { last: through.at(-1)!.id } : {}),
    },
    assertions: outcome.assertions,
    retries: outcome.retries,
    schemaChanges: outcome.schemaChanges,
  };
}

/** Renders a step (on one batch) into its job, or the outcome of a template error. */
export function renderStepRun(run: RunContext, stepRun: StepRun, gates: readonly Assertion[]): StepJob | StepOutcome {
  mark(`step ${stepRun.step.id}: start`);
  const job = jobOf(run, stepRun, gates);
  mark(`step ${stepRun.step.id}: rendered`);
  return job;
}

/** Runs a rendered step (on one batch) on a worker the caller took from the pool; the report's secrets are
 * masked, and what it committed counts for the steps after it (run.state). */
export async function runStepRun(
  run: RunContext,
  stepRun: StepRun,
  job: StepJob | StepOutcome,
  worker: WorkerProcess,
): Promise<StepReport> {
  const handedOver = new Date();
  let outcome: StepOutcome;
  if ('kind' in job) outcome = await execute(run, stepRun, job, worker);
  else {
    worker.cancel();
    outcome = job;
  }
  if ('kind' in job) run.state.committed(stepRun.step, outcome);
  mark(`step ${stepRun.step.id}: answered`);
  return report(stepRun, maskOutcome(outcome), handedOver);
}

/** A plain step: up to date when nothing it reads changed (no worker then), else one worker, its gates inside
 * its transaction. */
export const stepStage: StageRunner<'step'> = {
  async run(run, stage, { progress, ahead }) {
    const job = renderStepRun(run, { step: stage.step }, stage.gates);
    const deferred = (run.deferred?.get(stage.step.id)?.length ?? 0) > 0; // it reads another target's tables: not versioned here
    const reason = 'kind' in job && !deferred ? await run.state.upToDate(stage.step, job.files) : undefined;
    const report = reason
      ? upToDate(stage.step, reason)
      : await (async () => {
          run.events.onStepStart?.(stage.step);
          const worker = await run.pool.take();
          ahead(); // the next ones boot while this step runs
          return runStepRun(run, { step: stage.step }, job, worker);
        })();
    progress.steps.push(report);
    run.events.onStepEnd?.(report);
  },
  skip: (run, stage, progress) => skipSteps(run, [stage.step], progress),
};
