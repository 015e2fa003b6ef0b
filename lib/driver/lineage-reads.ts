// DuckDB's parser reads for the lineage, with a cache (logs/compiled/lineage-cache.json) so an unchanged
// project starts no extra process: only statements never seen before go to a worker.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParsedReads } from '../render/lineage.js';
import { startWorker } from './spawn.js';
import type { LineageJob } from '../types.js';

const cachePath = (root: string) => join(root, 'logs', 'compiled', 'lineage-cache.json');

function readCache(root: string): Record<string, string[] | null> {
  try {
    return existsSync(cachePath(root)) ? (JSON.parse(readFileSync(cachePath(root), 'utf8')) as Record<string, string[] | null>) : {};
  } catch {
    return {};
  }
}

/** The reads DuckDB's parser finds in these statements (undefined where it cannot tell, or without a worker). */
export async function parsedReads(root: string, statements: readonly string[]): Promise<ParsedReads> {
  const cache = readCache(root);
  const unknown = [...new Set(statements.filter((s) => !(s in cache)))];
  if (unknown.length > 0) {
    const tmp = mkdtempSync(join(tmpdir(), 'ducksteps-'));
    try {
      const job: LineageJob = { kind: 'lineage', statements: unknown, projectRoot: root, resultPath: join(tmp, 'lineage.json') };
      const answer = await startWorker(root, 'lineage').run<Array<string[] | null>>(job);
      if ('result' in answer) unknown.forEach((s, i) => { cache[s] = answer.result[i]; });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    const kept = Object.fromEntries(statements.filter((s) => s in cache).map((s) => [s, cache[s]])); // only what the project has now
    try {
      mkdirSync(join(root, 'logs', 'compiled'), { recursive: true });
      writeFileSync(cachePath(root), JSON.stringify(kept));
    } catch {
      // a cache that cannot be written only costs a worker next time
    }
  }
  return (statement) => cache[statement] ?? undefined;
}
