// Who relies on a table: the steps that read it (directly, or through a view or table macro) and the publish
// targets whose query reads it. A contract that breaks names them (worker/contracts.ts).
import type nunjucks from 'nunjucks';
import type { Project, PublishTarget, StepLineage } from '../model.js';
import { lineageOf, projectViews, reachedThrough } from './lineage.js';
import { renderFile } from './render.js';
import type { TemplateContext } from './template.js';

/** What a publish target's query reads (nothing when it does not render: publish reports that itself). */
function targetReads(project: Project, env: nunjucks.Environment, context: TemplateContext, t: PublishTarget) {
  try {
    const batches = { run_batches: '(NULL)', pending_batches: '(NULL)' };
    const sql = renderFile(env, project.root, t.file, { ...context, ...batches } as TemplateContext).sql;
    const l = lineageOf([sql]);
    return { reads: l.reads, calls: l.calls };
  } catch {
    return { reads: [], calls: [] };
  }
}

/** Table -> the steps and publish targets that read it, in step order, then the targets. */
export function tableReaders(
  project: Project,
  env: nunjucks.Environment,
  context: TemplateContext,
  lineage: ReadonlyMap<string, StepLineage>,
  targets: readonly PublishTarget[],
): Record<string, string[]> {
  const views = projectViews(lineage.values());
  const readers = [
    ...[...lineage].map(([id, l]) => ({ who: id, reads: l.reads, calls: l.calls })),
    ...targets.map((t) => ({ who: t.file, ...targetReads(project, env, context, t) })),
  ];
  const out: Record<string, string[]> = {};
  for (const { who, reads, calls } of readers)
    for (const table of reachedThrough(reads, calls, views)) (out[table] ??= []).push(who);
  return out;
}
