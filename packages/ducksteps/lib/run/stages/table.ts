// The stages of a plan, keyed by kind: how each runs, and how it is marked when something before it failed
// (dbt's runner map with on_skip). The table does not compile with a kind missing.
import type { RunPlan, Stage } from '../../plan/plan.js';
import type { RunContext } from '../context.js';
import type { Progress } from '../progress.js';
import { assertionsStage } from './assertions.js';
import { batchesStage } from './batches.js';
import { publishStage } from './publish.js';
import { stepStage } from './step.js';
import { unitTestsStage } from './unit-tests.js';

export type StageOf<K extends Stage['kind']> = Extract<Stage, { readonly kind: K }>;

/** What a stage gets besides the run: the plan, what ran before it, and how to keep the next workers warming. */
export interface StageInput {
  readonly plan: RunPlan;
  readonly progress: Progress;
  /** Warm the workers of the stages after this one, `unitsLeft` more of this stage's own first. */
  readonly ahead: (unitsLeft?: number) => void;
}

export interface StageRunner<K extends Stage['kind']> {
  /** Runs the stage, adding what it produced to `input.progress`. */
  run(run: RunContext, stage: StageOf<K>, input: StageInput): Promise<void>;
  /** Marks the stage as not executed (something before it failed): steps skipped, tests skipped, publish withheld. */
  skip(run: RunContext, stage: StageOf<K>, progress: Progress): void;
}

export const STAGES: { readonly [K in Stage['kind']]: StageRunner<K> } = {
  'unit tests': unitTestsStage,
  step: stepStage,
  batches: batchesStage,
  assertions: assertionsStage,
  publish: publishStage,
};

/** The runner of a stage's kind. */
export const runnerOf = <K extends Stage['kind']>(stage: StageOf<K>): StageRunner<K> =>
  STAGES[stage.kind as K] as StageRunner<K>;
