// The run plan (docs/internals.md): one pure function turns what a command runs (the selected steps, the
// rendered assertions, the lineage, the publish targets) into ordered stages. `run`, `test`, `list`,
// `compile`, `docs` and the report all read a plan; the executor (orchestration/execute.ts) runs one.
import type { Assertion, Project, ProjectLineage, PublishTarget, Step } from '../model.js';
import type { Flow } from '../results.js';
import type { UnitTest } from '../unit-tests.js';
import { assignGates } from './gates.js';
import { stageDependencies } from './graph.js';

/** One stage of a run, in order. */
export type Stage =
  /** Before anything touches the warehouse: the unit tests of the steps this run runs (a failure stops the run). */
  | { readonly kind: 'unit tests'; readonly tests: readonly UnitTest[] }
  /** A step, with the assertions run inside its transaction before COMMIT. */
  | { readonly kind: 'step'; readonly step: Step; readonly gates: readonly Assertion[] }
  /** Consecutive incremental steps, run once per batch; the batches come from the ledger as the stage starts.
   * `createsBatches`: it starts at the project's first incremental step, so new files become new batches. */
  | {
      readonly kind: 'batches';
      readonly steps: readonly Step[];
      readonly gates: ReadonlyMap<string, readonly Assertion[]>;
      readonly createsBatches: boolean;
    }
  /** Read-only after the steps: the assertions that read no step's tables and those gating a step this run
   * does not run (not selected), so every run checks every assertion before it publishes. */
  | { readonly kind: 'assertions'; readonly assertions: readonly Assertion[] }
  /** The publish targets, once every step and assertion passed. */
  | { readonly kind: 'publish'; readonly targets: readonly PublishTarget[] };

export interface RunPlan {
  readonly steps: readonly Step[]; // the selected steps, in order
  readonly stages: readonly Stage[];
  /** Every assertion the plan runs: the gates and the ones after the steps. */
  readonly assertions: readonly Assertion[];
  /** For --jobs: the stages each stage waits for (graph.ts: stages whose lineage does not connect run at once). */
  readonly dependencies: ReadonlyArray<readonly number[]>;
  /** The whole project's lineage and gates, when the lineage is known (a step that does not render: not). */
  readonly flow?: Flow;
}

export interface PlanInput {
  readonly project: Project;
  readonly steps: readonly Step[]; // selected; [] for `test`
  readonly assertions: readonly Assertion[]; // rendered
  readonly lineage?: ProjectLineage; // undefined: not computed, or a step does not render
  readonly targets: readonly PublishTarget[];
  readonly gates: boolean; // false: every assertion runs after the steps (package.json "gates": false)
  readonly testSteps?: readonly Step[]; // `test --select`: only the assertions gating these steps
  readonly publish?: boolean; // publish even with no step to run (--resume after a failed publish)
  readonly unitTests?: readonly UnitTest[]; // the project's unit tests, when they run before the steps
  /** --defer: the steps not run are another target's; their assertions are that target's to check. */
  readonly deferred?: boolean;
}

/** Consecutive incremental steps form one group (run per batch); every other step is a group of one. */
export function groupSteps(steps: readonly Step[]): Step[][] {
  const groups: Step[][] = [];
  for (const step of steps) {
    const last = groups.at(-1);
    if (step.incremental && last?.[0].incremental) last.push(step);
    else groups.push([step]);
  }
  return groups;
}

/** The plan: each step (group) with its gates, then the assertions left, then publish. Pure. */
export function planRun(input: PlanInput): RunPlan {
  const { project, steps, assertions, lineage } = input;
  const gates = lineage ? assignGates(project, lineage, assertions) : undefined;
  const flow = gates && lineage ? { lineage, gates: gates.byStep } : undefined;
  const useGates = gates && input.gates && assertions.length > 0;
  const running = new Set(steps.map((s) => s.id));
  const gatesOf = (step: Step) => (useGates && running.has(step.id) ? (gates.byStep.get(step.id) ?? []) : []);
  const notRunning = project.steps
    .filter((s) => !running.has(s.id) && !input.deferred)
    .flatMap((s) => (useGates ? (gates.byStep.get(s.id) ?? []) : []));
  const after = !useGates
    ? assertions
    : steps.length === 0 && input.testSteps
      ? input.testSteps.flatMap((s) => gates.byStep.get(s.id) ?? [])
      : steps.length === 0
        ? assertions
        : [...notRunning, ...gates.after];
  const firstIncremental = project.steps.find((s) => s.incremental)?.id;
  const stages: Stage[] = groupSteps(steps).map((group): Stage =>
    group[0].incremental
      ? {
          kind: 'batches',
          steps: group,
          gates: new Map(group.map((s) => [s.id, gatesOf(s)])),
          createsBatches: group[0].id === firstIncremental,
        }
      : { kind: 'step', step: group[0], gates: gatesOf(group[0]) },
  );
  const unit = (input.unitTests ?? []).filter((t) => running.has(t.step));
  if (unit.length > 0) stages.unshift({ kind: 'unit tests', tests: unit });
  stages.push({ kind: 'assertions', assertions: after });
  if ((steps.length > 0 || input.publish) && input.targets.length > 0)
    stages.push({ kind: 'publish', targets: input.targets });
  const planned = { steps, stages, flow };
  return { ...planned, assertions: plannedAssertions(planned), dependencies: stageDependencies(planned) };
}

/** The gates of planned steps that did not run after all (an incremental step with no new batch, or one that
 * had already committed every batch): they run with the assertions after the steps, so none is skipped. */
export function gatesNotRun(plan: RunPlan, ran: ReadonlySet<string>): Assertion[] {
  return plan.stages.flatMap((s) =>
    s.kind === 'step'
      ? ran.has(s.step.id)
        ? []
        : s.gates
      : s.kind === 'batches'
        ? s.steps.flatMap((step) => (ran.has(step.id) ? [] : (s.gates.get(step.id) ?? [])))
        : [],
  );
}

/** The lineage and the gates it implies, for the report and the lineage drawing. */
export const flowOf = (project: Project, lineage: ProjectLineage, assertions: readonly Assertion[]): Flow => ({
  lineage,
  gates: assignGates(project, lineage, assertions).byStep,
});

/** Every assertion the plan runs (gates and the ones after the steps). */
export const plannedAssertions = (plan: Pick<RunPlan, 'stages'>): Assertion[] =>
  plan.stages.flatMap((s) =>
    s.kind === 'step'
      ? s.gates
      : s.kind === 'batches'
        ? [...s.gates.values()].flat()
        : s.kind === 'assertions'
          ? s.assertions
          : [],
  );

/** The project's assertions that gate no step in the flow (all of them without one): for list and docs. */
export function ungated(plan: RunPlan): Assertion[] {
  const gated = new Set([...(plan.flow?.gates.values() ?? [])].flat());
  return plannedAssertions(plan).filter((a) => !gated.has(a));
}

/** What the next workers will do, in order, from stage `from` on (`unitsLeft` more units of the stage before
 * it first): a step stage needs one, a batches stage two (the ledger read, then its first unit), the
 * assertions one when there are any (or when an incremental step's gates may join them: it may have no new
 * batch), publish a publish worker. The pool warms workers in this order. */
export function lookahead(plan: RunPlan, from: number, unitsLeft = 0): Array<'step' | 'publish'> {
  const mayJoin = plan.stages.some((s) => s.kind === 'batches' && [...s.gates.values()].some((g) => g.length > 0));
  const needs = plan.stages
    .slice(from)
    .flatMap((s): Array<'step' | 'publish'> =>
      s.kind === 'step' || s.kind === 'unit tests'
        ? ['step']
        : s.kind === 'batches'
          ? ['step', 'step']
          : s.kind === 'assertions'
            ? s.assertions.length || mayJoin
              ? ['step']
              : []
            : ['publish'],
    );
  return [...Array<'step'>(unitsLeft).fill('step'), ...needs];
}

/** One line per stage, for `compile` and --dry-run. */
export function describePlan(plan: RunPlan): string[] {
  const names = (list: readonly Assertion[]) =>
    list.length ? ` (gated by ${list.map((a) => a.name).join(', ')})` : '';
  return plan.stages.map(
    (s, i) =>
      `${i + 1}. ${
        s.kind === 'unit tests'
          ? `unit tests before the steps: ${s.tests.length} (${[...new Set(s.tests.map((t) => t.step))].join(', ')})`
          : s.kind === 'step'
            ? `step ${s.step.id}${names(s.gates)}`
            : s.kind === 'batches'
              ? `batches: ${s.steps.map((step) => `${step.id}${names(s.gates.get(step.id) ?? [])}`).join(', ')} once per ${s.createsBatches ? 'new or unfinished' : 'unfinished'} batch`
              : s.kind === 'assertions'
                ? `assertions after the steps: ${s.assertions.length ? s.assertions.map((a) => a.name).join(', ') : 'none'}`
                : `publish: ${s.targets.map((t) => `${t.kind} ${t.destination}`).join(', ')}`
      }`,
  );
}
