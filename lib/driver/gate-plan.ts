// What `list` and `docs` show of the gates: every assertion, rendered (nothing written), and the step it gates.
import { assertionsOf } from '../render/assertions.js';
import { lineageOfProject } from './lineage.js';
import { createEnvironment, type TemplateContext } from '../render/template.js';
import { assignGates, type Gates } from './gates.js';
import type { StepLineage } from '../render/lineage.js';
import type { Project, Settings } from '../types.js';

/** The gates of the whole project; an assertion or step that does not render makes none (the run reports it).
 * `lineage`: when the caller already has it (docs and the report draw it too). */
export async function projectGates(project: Project, settings: Settings, lineage?: ReadonlyMap<string, StepLineage>): Promise<Gates> {
  const context: TemplateContext = { vars: settings.vars, run_id: 'list', run_started_at: '' };
  try {
    const env = createEnvironment(project.root, context);
    const assertions = project.testFiles.flatMap((file) => assertionsOf(env, project.root, file, context, false));
    return assignGates(project, lineage ?? (await lineageOfProject(project, settings, context)), assertions);
  } catch {
    return { byStep: new Map(), after: [] };
  }
}
