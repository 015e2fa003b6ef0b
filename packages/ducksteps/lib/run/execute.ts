// The executor: runs a plan's stages in order with one worker pool, keeping the next workers warming in
// the order the plan needs them. After a failure, everything left is marked not executed here, in one place:
// steps `skipped`, the assertions `skipped`, publish withheld.
import type { Assertion } from '../model.js';
import { logPhase } from '../logs/step-logs.js';
import { stageDependencies } from '../plan/graph.js';
import { gatesNotRun, lookahead, plannedAssertions, type RunPlan, type Stage } from '../plan/plan.js';
import {
  succeeded,
  type BuildResult,
  type Flow,
  type PublishOutcome,
  type StepReport,
  type TestsReport,
} from '../results.js';
import type { UnitTestsReport } from '../unit-tests.js';
import { mark } from '../trace.js';
import { runAssertionsStage } from './stages/assertions.js';
import { recordAssertionPasses, reusableAssertions } from '../reuse/reuse.js';
import { runBatchesStage } from './stages/batches.js';
import { runPublishStage, withholdPublish } from './stages/publish.js';
import { blank, logsDirOf, recordStep, type RunContext } from './context.js';
import { schedule } from './schedule.js';
import { runUnit } from './stages/step.js';
import { runUnitTestsStage } from './stages/unit-tests.js';

/** What the run has produced so far. */
interface Progress {
  readonly steps: StepReport[];
  tests?: TestsReport;
  publish?: PublishOutcome[];
  flow?: Flow;
  unit?: UnitTestsReport;
}

const failed = (p: Progress) =>
  (p.unit !== undefined && p.unit.status !== 'ok') ||
  p.steps.some((r) => !succeeded(r.status)) ||
  p.tests?.status === 'failed' ||
  Boolean(p.publish?.some((o) => o.status === 'failed' || o.status === 'interrupted'));

/** A stage that does not run because something before it failed. */
function notExecuted(run: RunContext, stage: Stage, progress: Progress): void {
  if (stage.kind === 'step' || stage.kind === 'batches') {
    for (const step of stage.kind === 'step' ? [stage.step] : stage.steps) {
      const r = blank(step, 'skipped');
      progress.steps.push(r);
      recordStep(run, r);
    }
    return;
  }
  if (stage.kind === 'assertions') {
    if (progress.steps.some((r) => r.status === 'interrupted')) {
      logPhase(logsDirOf(run), run.runId, 'run', {
        status: 'interrupted',
        error: run.signal.reason === 'SIGTERM' ? 'stopped by SIGTERM' : 'stopped by Ctrl-C (SIGINT)',
      });
    }
    if (progress.tests === undefined) {
      logPhase(logsDirOf(run), run.runId, 'tests', { status: 'skipped' });
      progress.tests = { status: 'skipped', durationMs: 0, results: [] };
    }
    return;
  }
  if (stage.kind === 'publish') progress.publish = withholdPublish(run, stage.targets);
}

/** Runs one stage that may run. */
async function runStage(
  run: RunContext,
  plan: RunPlan,
  index: number,
  progress: Progress,
  flowLater?: () => Promise<Flow | undefined>,
): Promise<void> {
  const stage = plan.stages[index];
  const ahead = (unitsLeft: number) => run.pool.ensure(lookahead(plan, index + 1, unitsLeft));
  if (stage.kind === 'unit tests') {
    progress.unit = await runUnitTestsStage(run, stage.tests, () => ahead(0));
  } else if (stage.kind === 'step') {
    run.events?.onStepStart?.(stage.step);
    const worker = await run.pool.take();
    ahead(0); // the next ones boot while this step runs
    const r = await runUnit(run, { step: stage.step }, stage.gates, worker);
    progress.steps.push(r);
    recordStep(run, r);
    run.events?.onStepEnd?.(r);
  } else if (stage.kind === 'batches') {
    progress.steps.push(...(await runBatchesStage(run, stage, ahead)));
  } else if (stage.kind === 'assertions') {
    mark('build: steps done');
    const assertions = [
      ...gatesNotRun(plan, new Set(progress.steps.filter((r) => r.status === 'ok').map((r) => r.step.id))),
      ...stage.assertions,
    ];
    const reused =
      plan.steps.length > 0
        ? reusableAssertions(run.project.root, run.settings, assertions)
        : new Map<Assertion, string>(); // `test` checks everything
    run.events?.onTestsStart?.(assertions.length, reused.size);
    const gated = progress.steps.flatMap((r) => r.assertions ?? []);
    progress.tests = await runAssertionsStage(
      run,
      assertions,
      gated,
      async () => {
        progress.flow ??= await flowLater?.();
      },
      reused,
    );
    mark('build: tests done');
  } else {
    run.events?.onPublishStart?.(stage.targets.length);
    progress.publish = await runPublishStage(run, stage.targets, progress.steps);
    mark('build: published');
  }
}

/** The summary's order: plan order (parallel stages finish in any order), each step's batches in order. */
const inPlanOrder = (reports: readonly StepReport[]) =>
  [...reports].sort((a, b) => a.step.number - b.step.number || (a.batch?.id ?? 0) - (b.batch?.id ?? 0));

/** Runs the plan; never throws for a failed step, assertion or target (they are statuses in the result).
 * With `run.jobs` > 1, stages whose lineage does not connect run at the same time (plan/graph.ts); a failure
 * stops new stages from starting, and the running ones finish or roll back. `flowLater`: the lineage for the
 * report when the plan has none, computed while the assertions run. */
export async function execute(
  run: RunContext,
  plan: RunPlan,
  flowLater?: () => Promise<Flow | undefined>,
): Promise<BuildResult> {
  const progress: Progress = { steps: [], flow: plan.flow };
  if (plan.steps.length > 0) run.pool.ensure(lookahead(plan, 0));
  const waitsFor = run.jobs > 1 ? stageDependencies(plan) : plan.stages.map((_, i) => (i === 0 ? [] : [i - 1]));
  await schedule(waitsFor, run.jobs, async (index) => {
    if (failed(progress)) notExecuted(run, plan.stages[index], progress);
    else await runStage(run, plan, index, progress, flowLater);
  });
  const interrupted =
    progress.steps.some((r) => r.status === 'interrupted') ||
    progress.unit?.status === 'interrupted' ||
    Boolean(progress.publish?.some((o) => o.status === 'interrupted'));
  const status = interrupted ? 'interrupted' : failed(progress) ? 'failed' : 'ok';
  if (status === 'ok' && progress.tests)
    recordAssertionPasses(run.project.root, run.settings, run.runId, plannedAssertions(plan), progress.tests.results);
  return {
    runId: run.runId,
    status,
    steps: run.jobs > 1 ? inPlanOrder(progress.steps) : progress.steps,
    tests: progress.tests,
    publish: progress.publish,
    flow: progress.flow,
    unit: progress.unit,
  };
}
