// What a run has produced so far, as its stages finish; the executor decides from it whether the next stage
// runs or is marked as not executed.
import {
  succeeded,
  type BuildResult,
  type Flow,
  type PublishOutcome,
  type StepReport,
  type TestsReport,
} from '../results.js';
import type { UnitTestsReport } from '../unit-tests.js';

export interface Progress {
  readonly steps: StepReport[];
  tests?: TestsReport;
  publish?: PublishOutcome[];
  flow?: Flow;
  unit?: UnitTestsReport;
}

/** How the run stands: `interrupted` when a signal stopped something that was running, `failed` when something
 * failed (the stages after it do not run), else `ok`. */
export function statusOf(p: Progress): BuildResult['status'] {
  if (
    p.steps.some((r) => r.status === 'interrupted') ||
    p.unit?.status === 'interrupted' ||
    p.publish?.some((o) => o.status === 'interrupted')
  )
    return 'interrupted';
  const failed =
    (p.unit !== undefined && p.unit.status !== 'ok') ||
    p.steps.some((r) => !succeeded(r.status)) ||
    p.tests?.status === 'failed' ||
    p.publish?.some((o) => o.status === 'failed');
  return failed ? 'failed' : 'ok';
}

/** The run's result: its status, and its steps as they ran — or, when stages ran at once (`parallel`), in plan
 * order (each step's batches in order). */
export function resultOf(runId: string, p: Progress, parallel: boolean): BuildResult {
  const byPlan = (a: StepReport, b: StepReport) =>
    a.step.number - b.step.number || (a.batch?.id ?? 0) - (b.batch?.id ?? 0);
  const steps = parallel ? [...p.steps].sort(byPlan) : p.steps;
  return { runId, status: statusOf(p), steps, tests: p.tests, publish: p.publish, flow: p.flow, unit: p.unit };
}
