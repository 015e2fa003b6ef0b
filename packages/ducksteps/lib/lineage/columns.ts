// The project's column lineage for the driver (issue 36): which upstream columns each column of each table
// comes from. A worker parses (worker/column-lineage.ts); the answer is cached in
// logs/compiled/column-lineage-cache.json under the SHA-256 of what it was computed from, so an unchanged
// project starts no extra process. A step script's SQL is not followed: the tables it writes say so.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project, Settings, StepLineage } from '../model.js';
import { runJob } from '../processes/pool.js';
import { statementsOf } from '../render/lineage.js';
import { projectTexts } from '../render/project-lineage.js';
import type { TemplateContext } from '../render/template.js';
import type { TableColumns } from '../results.js';

const VERSION = 1; // of the resolver: a new one computes again
const cachePath = (root: string) => join(root, 'logs', 'compiled', 'column-lineage-cache.json');

function cached(root: string, key: string): TableColumns[] | undefined {
  try {
    const c = existsSync(cachePath(root))
      ? (JSON.parse(readFileSync(cachePath(root), 'utf8')) as { key: string; tables: TableColumns[] })
      : undefined;
    return c?.key === key ? c.tables : undefined;
  } catch {
    return undefined;
  }
}

/** Table name -> its columns and their sources; undefined when no worker could compute it. Throws
 * TemplateError when a step does not render (like the table lineage). */
export async function columnLineageOf(
  project: Project,
  settings: Settings,
  lineage: ReadonlyMap<string, StepLineage>,
  context?: TemplateContext,
): Promise<Map<string, TableColumns> | undefined> {
  const texts = projectTexts(project, settings, context, false);
  const steps = project.steps
    .filter((s) => !s.local)
    .map((s) => ({ step: s.id, statements: statementsOf(texts.get(s.id) ?? []) }));
  const key = createHash('sha256')
    .update(JSON.stringify([VERSION, steps]))
    .digest('hex');
  let tables = cached(project.root, key);
  if (!tables) {
    const answer = await runJob(project.root, { kind: 'columns', steps }, 'lineage');
    if (!('result' in answer)) return undefined;
    tables = [...answer.result];
    try {
      mkdirSync(join(project.root, 'logs', 'compiled'), { recursive: true });
      writeFileSync(cachePath(project.root), JSON.stringify({ key, tables }));
    } catch {
      // a cache that cannot be written only costs a worker next time
    }
  }
  const out = new Map(tables.map((t) => [t.table, t]));
  for (const step of project.steps.filter((s) => s.script))
    for (const table of lineage.get(step.id)?.writes ?? []) {
      const note = `${step.id}: its script (${step.script}) is not followed`;
      const t = out.get(table) ?? { table, steps: [step.id], columns: [], unresolved: ['its columns are not known'] };
      out.set(table, { ...t, unresolved: [...t.unresolved, note] });
    }
  return out;
}
