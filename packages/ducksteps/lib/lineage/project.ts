// The project's lineage for the driver and the commands: each step's rendered texts, the tables each
// statement reads from DuckDB's parser (in a worker, cached in logs/compiled/lineage-cache.json so an
// unchanged project starts no extra process), and the text scan where the parser cannot tell. The cache is
// keyed by each statement's SHA-256, never its text: a rendered statement may hold a secret from env().
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project, ProjectLineage, Settings } from '../model.js';
import { runJob } from '../processes/pool.js';
import { statementsOf, type ParsedReads } from '../render/lineage.js';
import { projectLineage, projectTexts } from '../render/project-lineage.js';
import type { TemplateContext } from '../render/template.js';
import { homeOf, warehouseOf } from '../warehouse.js';

const cachePath = (root: string) => join(root, 'logs', 'compiled', 'lineage-cache.json');

function readCache(root: string): Record<string, readonly string[] | null> {
  try {
    return existsSync(cachePath(root))
      ? (JSON.parse(readFileSync(cachePath(root), 'utf8')) as Record<string, string[] | null>)
      : {};
  } catch {
    return {};
  }
}

// v2: a name part holding a dot or a quote comes quoted (worker/lineage.ts)
const keyOf = (statement: string) => createHash('sha256').update(`v2\n${statement}`).digest('hex');

/** The reads DuckDB's parser finds in these statements (undefined where it cannot tell, or without a worker). */
async function parsedReads(root: string, statements: readonly string[]): Promise<ParsedReads> {
  const cache = readCache(root);
  const keys = new Map(statements.map((s) => [s, keyOf(s)]));
  const unknown = [...new Set(statements.filter((s) => !(keys.get(s)! in cache)))];
  if (unknown.length > 0) {
    const answer = await runJob(root, { kind: 'lineage', statements: unknown }, 'lineage');
    if ('result' in answer)
      unknown.forEach((s, i) => {
        cache[keys.get(s)!] = answer.result[i];
      });
    const kept = Object.fromEntries(
      statements
        .map((s) => keys.get(s)!)
        .filter((k) => k in cache)
        .map((k) => [k, cache[k]]),
    ); // only what the project has now
    try {
      mkdirSync(join(root, 'logs', 'compiled'), { recursive: true });
      writeFileSync(cachePath(root), JSON.stringify(kept));
    } catch {
      // a cache that cannot be written only costs a worker next time
    }
  }
  return (statement) => cache[keys.get(statement) ?? keyOf(statement)] ?? undefined;
}

/** Step id -> what it reads and writes. Throws TemplateError when a step does not render. */
export async function lineageOfProject(
  project: Project,
  settings: Settings,
  context?: TemplateContext,
): Promise<ProjectLineage> {
  const texts = projectTexts(project, settings, context);
  const parsed = await parsedReads(project.root, statementsOf([...texts.values()].flat()));
  return projectLineage(texts, parsed, homeOf(warehouseOf(project.root, settings)));
}
