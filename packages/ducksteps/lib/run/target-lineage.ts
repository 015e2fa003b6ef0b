// What each publish target reads (its query rendered as for a display: no batches offered) and what its kind
// writes: the lineage drawing (docs, the report) and the run artifacts both add the targets this way.
import type { Home, Project, PublishTarget, Settings, StepLineage } from '../model.js';
import { kindOf } from '../publish/registry.js';
import { lineageOf } from '../render/lineage.js';
import { renderFile } from '../render/render.js';
import { createEnvironment, templateContext, type TemplateContext } from '../render/template.js';

/** Target file -> its lineage (reads from its rendered query, writes from its kind). */
export function targetLineage(
  project: Project,
  settings: Settings,
  targets: readonly PublishTarget[],
  home?: Home,
): Map<string, StepLineage> {
  const context = templateContext(settings, 'docs');
  const env = createEnvironment(project.root, context);
  const all = new Map<string, StepLineage>();
  for (const target of targets) {
    const query = renderFile(env, project.root, target.file, {
      ...context,
      run_batches: '(NULL)',
      pending_batches: '(NULL)',
    } as TemplateContext).sql;
    const writes = kindOf(target.kind).writes(target);
    all.set(target.file, {
      ...lineageOf([query], undefined, home),
      filesWritten: [...writes.files],
      writes: [...writes.tables],
    });
  }
  return all;
}
