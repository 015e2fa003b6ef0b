// Which stages of a plan may run at the same time (--jobs N on an engine with many writers): two step stages
// wait for each other when their lineage touches a common table or file, in either direction (one reads or
// writes what the other writes). Everything else is ordered as planned: a batches stage (it reads landing
// files any step may write) and a step with a script (it may do anything) wait for every stage before
// them, and every later stage waits for them; the assertions wait for every step; publish for the assertions.
import type { Step, StepLineage } from '../model.js';
import { projectViews, reachedThrough } from '../render/lineage.js';
import type { RunPlan, Stage } from './plan.js';

const stepsOf = (stage: Stage): readonly Step[] =>
  stage.kind === 'step' ? [stage.step] : stage.kind === 'batches' ? stage.steps : [];

/** What a stage touches: the names it writes and the names it reads (through views and table macros). */
function touches(
  stage: Stage,
  lineage: ReadonlyMap<string, StepLineage>,
  views: ReadonlyMap<string, readonly string[]>,
) {
  const writes = new Set<string>();
  const reads = new Set<string>();
  for (const step of stepsOf(stage)) {
    const l = lineage.get(step.id);
    if (!l) return undefined;
    for (const w of [...l.writes, ...l.filesWritten]) writes.add(w);
    for (const r of [...reachedThrough(l.reads, l.calls, views), ...l.filesRead]) reads.add(r);
  }
  return { writes, reads };
}

const overlap = (a: ReadonlySet<string>, b: ReadonlySet<string>) => [...a].some((x) => b.has(x));

/** Whether a stage must be ordered against every other (no lineage to tell, landing files, a script). */
const barrier = (stage: Stage) => stage.kind !== 'step' || Boolean(stage.step.script);

/** For each stage, the earlier stages it waits for. Without a lineage (`plan.flow`) every stage waits for
 * the one before it: the plan's order. */
export function stageDependencies(plan: Pick<RunPlan, 'stages' | 'flow'>): number[][] {
  const lineage = plan.flow?.lineage;
  if (!lineage) return plan.stages.map((_, i) => (i === 0 ? [] : [i - 1]));
  const views = projectViews(lineage.values());
  const touched = plan.stages.map((s) => touches(s, lineage, views));
  return plan.stages.map((stage, j) =>
    plan.stages.slice(0, j).flatMap((earlier, i) => {
      const a = touched[i];
      const b = touched[j];
      const ordered =
        barrier(stage) || barrier(earlier) || !a || !b || stage.kind !== 'step' || earlier.kind !== 'step';
      return ordered || overlap(a.writes, b.reads) || overlap(a.writes, b.writes) || overlap(b.writes, a.reads)
        ? [i]
        : [];
    }),
  );
}
