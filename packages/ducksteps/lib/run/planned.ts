// What the listeners that describe a run (the artifacts, OpenLineage) get once it is planned: the project, the
// plan's steps, assertions and lineage, the publish targets with what each reads, the column lineage.
import type { PlanInput, RunPlan } from '../plan/plan.js';
import type { PlannedRun, TableColumns } from '../results.js';
import type { RunContext } from './context.js';
import { targetLineage } from './target-lineage.js';

/** The planned run, as plain data. A target that does not render reads nothing here (it fails when published). */
export function plannedRun(
  run: RunContext,
  input: PlanInput,
  plan: RunPlan,
  columns?: ReadonlyMap<string, TableColumns>,
): PlannedRun {
  let targetReads: Record<string, readonly string[]> = {};
  try {
    targetReads = Object.fromEntries(
      [...targetLineage(run.project, run.settings, input.targets)].map(([file, l]) => [file, l.reads]),
    );
  } catch {
    // rendering fails again, with its file:line, when the target is published
  }
  const { project, settings } = run;
  return {
    project,
    settings,
    steps: plan.steps,
    assertions: input.assertions,
    targets: input.targets,
    targetReads,
    flow: plan.flow,
    columns,
  };
}
