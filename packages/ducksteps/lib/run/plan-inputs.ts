// What a plan is made of, read from the project on disk: the rendered assertions, the lineage (a worker
// parses, cached) and the unit tests. The pure plan/plan.ts: planRun turns them into stages; every command
// that shows or runs gates gets its inputs from here.
import type nunjucks from 'nunjucks';
import { TemplateError } from '../errors.js';
import type { Project, ProjectLineage, PublishTarget, Settings, Step } from '../model.js';
import { planRun, type PlanInput, type RunPlan } from '../plan/plan.js';
import { discoverUnitTests } from '../unit-tests/discover.js';
import { assertionsOf } from '../render/assertions.js';
import { createEnvironment, templateContext, type TemplateContext } from '../render/template.js';
import { lineageOfProject } from '../lineage/project.js';

export interface PlanRequest {
  readonly project: Project;
  readonly settings: Settings;
  readonly context: TemplateContext;
  readonly env?: nunjucks.Environment;
  readonly steps: readonly Step[]; // [] for `test`
  readonly testSteps?: readonly Step[];
  readonly targets?: readonly PublishTarget[];
  readonly withTests?: boolean; // render the assertions (default true)
  readonly keepCompiled?: boolean; // a run: write each assertion's compiled SQL under logs/compiled/tests
  readonly strict?: boolean; // a step that does not render throws its TemplateError (default: planned without lineage)
  readonly publish?: boolean; // publish even with no step to run (--resume after a failed publish)
}

/** The lineage, or undefined when a step does not render (that step fails on its own, at its file:line;
 * `strict` rethrows its TemplateError instead). */
export async function lineageIfRenders(
  project: Project,
  settings: Settings,
  context: TemplateContext,
  strict = false,
): Promise<ProjectLineage | undefined> {
  try {
    return await lineageOfProject(project, settings, context);
  } catch (error) {
    if (strict || !(error instanceof TemplateError)) throw error;
    return undefined;
  }
}

/** The plan's inputs for a command. `test` without --select needs no lineage to run: it plans without one
 * (the report computes it while the assertions run). */
export async function planInputs(request: PlanRequest): Promise<PlanInput> {
  const { project, settings, context, steps, testSteps } = request;
  const env = request.env ?? createEnvironment(project.root, context);
  const assertions =
    request.withTests === false
      ? []
      : project.testFiles.flatMap((file) =>
          assertionsOf(env, project.root, file, context, request.keepCompiled ?? false),
        );
  const lineage =
    steps.length === 0 && !testSteps ? undefined : await lineageIfRenders(project, settings, context, request.strict);
  const unitTests = settings.unitTests !== false && steps.length > 0 ? discoverUnitTests(project) : undefined; // before the steps they test
  const targets = request.targets ?? [];
  const gates = settings.gates !== false;
  const deferred = settings.defer !== undefined && steps.length > 0;
  return {
    project,
    steps,
    assertions,
    lineage,
    targets,
    gates,
    testSteps,
    publish: request.publish,
    unitTests,
    deferred,
  };
}

/** The whole project's plan for display (list, docs, the report): every step, every assertion, no files
 * written; without a flow where a step does not render (`strict`: that step's TemplateError). */
export async function displayPlan(
  project: Project,
  settings: Settings,
  options: { targets?: readonly PublishTarget[]; strict?: boolean } = {},
): Promise<RunPlan> {
  const context = templateContext(settings, 'plan');
  return planRun(await planInputs({ project, settings, context, steps: project.steps, ...options }));
}
