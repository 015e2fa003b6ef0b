// What every stage of one run shares: the project and settings, the templates, the worker pool, the run's
// id and stop signal, the compiled step scripts, the event callbacks, and how each step is logged.
import { join } from 'node:path';
import type nunjucks from 'nunjucks';
import type { Project, Settings, Step } from '../model.js';
import type { Fence } from '../protocol.js';
import type { WorkerPool } from '../processes/pool.js';
import type { BatchPosition, BuildEvents, StepReport } from '../results.js';
import type { TemplateContext } from '../render/template.js';
import { logStep } from '../logs/step-logs.js';
import { logAssertions } from './stages/assertions.js';

/** One step to run: a plain step, or an incremental step on one batch. */
export interface Unit {
  readonly step: Step;
  readonly batch?: BatchPosition;
}

export interface RunContext {
  readonly project: Project;
  readonly settings: Settings;
  readonly env: nunjucks.Environment;
  readonly context: TemplateContext;
  readonly pool: WorkerPool;
  readonly signal: AbortSignal;
  readonly runId: string;
  readonly scripts: ReadonlyMap<string, string>; // steps/NN_name.ts -> its compiled .js
  readonly events?: BuildEvents;
  readonly heartbeatMs?: number;
  readonly jobs: number; // stages run at once (1 unless the engine takes many writers and --jobs asks)
  readonly fence?: Fence; // the run lock's token where the lock lives in PostgreSQL: each step's commit checks it
}

export { connectionOf } from '../project/pipeline.js';

export const logsDirOf = (run: { readonly project: Project }) => join(run.project.root, 'logs');

/** Logs a finished (or skipped) step and the assertions that gated it. */
export function recordStep(run: RunContext, report: StepReport): void {
  const logsDir = logsDirOf(run);
  logStep(logsDir, run.runId, report);
  if (report.assertions?.length) logAssertions(logsDir, run.runId, report.assertions, report.step.id);
}

/** A step that did not run (skipped, up to date) or failed before its worker had it. */
export const blank = (step: Step, status: StepReport['status'], error?: StepReport['error']): StepReport => ({
  step,
  status,
  durationMs: 0,
  statements: [],
  rowsChanged: 0,
  error,
});
