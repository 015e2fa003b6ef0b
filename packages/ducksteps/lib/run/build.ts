// One build in three calls: open the run, plan it (pure), execute the plan. It throws only for discovery and
// configuration errors; failed steps, assertions and targets are statuses in the result (kysely's migrator
// does the same).
import { planRun } from '../plan/plan.js';
import type { BuildResult } from '../results.js';
import { execute } from './execute.js';
import { crashMessage } from '../errors.js';
import { openRun, type BuildOptions } from './open.js';
import { plannedRun } from './planned.js';

export type { BuildEvents } from '../results.js';
export type { BuildOptions } from './open.js';

/** Runs the selected steps (each gated by its assertions), then the assertions left, then the publish
 * targets when every error assertion passed (write-audit-publish). */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const { run, planInput, columns, close, flushed } = await openRun(options);
  try {
    const plan = planRun(planInput);
    run.events.onPlanned?.(plannedRun(run, planInput, plan, columns));
    const result = await execute(run, plan);
    run.events.onRunEnd?.(result);
    return result;
  } catch (error) {
    run.events.onRunError?.(crashMessage(error));
    throw error;
  } finally {
    close();
    await flushed(); // the OpenLineage endpoint has every event (or they are kept in a file) before the run returns
  }
}
