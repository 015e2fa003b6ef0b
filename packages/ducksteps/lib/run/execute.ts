// The executor: runs a plan's stages with one worker pool, keeping the next workers warming in the order the
// plan needs them. Each stage runs from the stage table (stages/table.ts); after a failure, every stage left is
// marked not executed by its own `skip` (steps skipped, the assertions skipped, publish withheld).
import { lookahead, type RunPlan } from '../plan/plan.js';
import type { BuildResult } from '../results.js';
import { recordAssertionPasses } from '../reuse/reuse.js';
import type { RunContext } from './context.js';
import { resultOf, statusOf, type Progress } from './progress.js';
import { schedule } from './schedule.js';
import { runnerOf } from './stages/table.js';

/** Runs the plan; never throws for a failed step, assertion or target (they are statuses in the result).
 * With `run.jobs` > 1, stages whose lineage does not connect run at the same time (plan.dependencies); a
 * failure stops new stages from starting, and the running ones finish or roll back. */
export async function execute(run: RunContext, plan: RunPlan): Promise<BuildResult> {
  const progress: Progress = { steps: [], flow: plan.flow };
  if (plan.steps.length > 0) run.pool.ensure(lookahead(plan, 0));
  const inOrder = plan.stages.map((_, i) => (i === 0 ? [] : [i - 1]));
  await schedule(run.jobs > 1 ? plan.dependencies : inOrder, run.jobs, async (index) => {
    const stage = plan.stages[index];
    const ahead = (unitsLeft = 0) => run.pool.ensure(lookahead(plan, index + 1, unitsLeft));
    if (statusOf(progress) !== 'ok') runnerOf(stage).skip(run, stage, progress);
    else await runnerOf(stage).run(run, stage, { plan, progress, ahead });
  });
  const result = resultOf(run.runId, progress, run.jobs > 1);
  if (result.status === 'ok' && result.tests) {
    recordAssertionPasses(run.project.root, run.settings, run.runId, plan.assertions, result.tests.results);
  }
  return result;
}
