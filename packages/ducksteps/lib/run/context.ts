// What every stage of one run shares: the project and settings, the templates, the worker pool, the run's
// id and stop signal, the compiled step scripts, and the events it emits (the CSV logs and the console
// subscribe to them: run/events.ts).
import type nunjucks from 'nunjucks';
import type { Project, Settings, Step } from '../model.js';
import type { Fence } from '../protocol.js';
import type { WorkerPool } from '../processes/pool.js';
import type { BatchPosition, BuildEvents, Flow, StepReport } from '../results.js';
import type { TemplateContext } from '../render/template.js';
import type { RunState } from '../state/run-state.js';
import type { Progress } from './progress.js';

/** One run of a step: a plain step, or an incremental step on one batch. */
export interface StepRun {
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
  readonly events: BuildEvents;
  readonly heartbeatMs?: number;
  readonly jobs: number; // stages run at once (1 unless the engine takes many writers and --jobs asks)
  /** The lineage for the report when the plan has none (`test`), computed while the assertions run. */
  readonly flowLater?: () => Promise<Flow | undefined>;
  /** What changed: the recorded state, this run's versions, which steps are up to date (state/run-state.ts). */
  readonly state: RunState;
  /** Table -> the steps and publish targets that read it (who a broken contract lets down), when known. */
  readonly readers?: Readonly<Record<string, readonly string[]>>;
  /** --defer: step id -> the tables it reads from the deferred-to target (run/deferred.ts). */
  readonly deferred?: ReadonlyMap<string, readonly string[]>;
  readonly fence?: Fence; // the run lock's token where the lock lives in PostgreSQL: each step's commit checks it
}

export { connectionOf } from '../project/pipeline.js';

/** A step that did not run (skipped, up to date) or failed before its worker had it. */
export const blank = (step: Step, status: StepReport['status'], error?: StepReport['error']): StepReport => ({
  step,
  status,
  durationMs: 0,
  statements: [],
  rowsChanged: 0,
  error,
});

/** A step that did not run because it had nothing to do, saying why. */
export const upToDate = (step: Step, reason: string): StepReport => ({ ...blank(step, 'up to date'), reason });

/** Steps that do not run because something before them failed: each reported `skipped`, once. */
export function skipSteps(run: RunContext, steps: readonly Step[], progress: Progress): void {
  for (const step of steps) {
    const report = blank(step, 'skipped');
    progress.steps.push(report);
    run.events.onStepEnd?.(report);
  }
}
