// Planning with the project on disk: render the assertions, find the lineage (a worker parses, cached), and
// hand both to the pure planRun. Every command that shows or runs gates gets them from here.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type nunjucks from 'nunjucks';
import { TemplateError } from '../errors.js';
import type { Assertion, Project, ProjectLineage, PublishTarget, Settings, Step } from '../model.js';
import { planRun, type RunPlan } from '../plan/plan.js';
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
  readonly keepCompiled?: boolean; // a run: replace logs/compiled/tests and logs/test_failures (default false)
  readonly strict?: boolean; // a step that does not render throws its TemplateError (default: planned without lineage)
  readonly publish?: boolean; // publish even with no step to run (--resume after a failed publish)
}

/** Every assertion of tests/, rendered; a run replaces the last run's compiled copies and failure files. */
function renderAssertions(request: PlanRequest, env: nunjucks.Environment): Assertion[] {
  const { project, context, keepCompiled = false } = request;
  if (keepCompiled) {
    rmSync(join(project.root, 'logs', 'test_failures'), { recursive: true, force: true });
    rmSync(join(project.root, 'logs', 'compiled', 'tests'), { recursive: true, force: true });
  }
  return project.testFiles.flatMap((file) => assertionsOf(env, project.root, file, context, keepCompiled));
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

/** The plan for a command. `test` without --select needs no lineage to run: it plans without one (the report
 * computes it while the assertions run). */
export async function preparePlan(request: PlanRequest): Promise<RunPlan> {
  const { project, settings, context, steps, testSteps } = request;
  const env = request.env ?? createEnvironment(project.root, context);
  const assertions = request.withTests === false ? [] : renderAssertions(request, env);
  const lineage =
    steps.length === 0 && !testSteps ? undefined : await lineageIfRenders(project, settings, context, request.strict);
  const unitTests = settings.unitTests !== false && steps.length > 0 ? discoverUnitTests(project) : undefined; // before the steps they test
  return planRun({
    project,
    steps,
    assertions,
    lineage,
    targets: request.targets ?? [],
    gates: settings.gates !== false,
    testSteps,
    publish: request.publish,
    unitTests,
  });
}

/** The whole project's plan for display (list, docs, the report): every step, every assertion, no files
 * written; without a flow where a step does not render (`strict`: that step's TemplateError). */
export function displayPlan(
  project: Project,
  settings: Settings,
  options: { targets?: readonly PublishTarget[]; strict?: boolean } = {},
): Promise<RunPlan> {
  const context = templateContext(settings, 'plan');
  return preparePlan({ project, settings, context, steps: project.steps, ...options });
}
