// The run lock for whatever the warehouse is: a lock file beside a DuckDB file (or a DuckLake's DuckDB/SQLite
// catalog file), or, for a DuckLake with its catalog in PostgreSQL, a lock in that PostgreSQL (lake-lock.ts).
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Project, Settings } from '../model.js';
import { localPart, warehouseOf } from '../warehouse.js';
import { acquireLakeLock } from './lake-lock.js';
import { acquireLock, type Lock } from './run-lock.js';

/** The pipeline's name for a shared lake's lock: package.json "name", else the project folder's name. */
export function pipelineName(root: string): string {
  try {
    const name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && name.trim()) return name.trim();
  } catch {
    // no package.json (or not JSON: the settings report that): the folder's name
  }
  return basename(root);
}

/** Takes the run lock; `fresh`: a DuckLake whose catalog does not exist yet (the run creates it first). */
export async function lockWarehouse(
  project: Pick<Project, 'root'>,
  settings: Settings,
  runId: string,
): Promise<Lock & { fresh: boolean }> {
  const warehouse = localPart(warehouseOf(project.root, settings)); // Spark: its ledger store
  if (warehouse.engine === 'ducklake' && warehouse.catalogKind === 'postgres') {
    const lock = await acquireLakeLock(warehouse.catalog, pipelineName(project.root), runId);
    return { ...lock, fresh: !lock.lakeExists };
  }
  const file = warehouse.engine === 'duckdb' ? warehouse.path : warehouse.catalog.replace(/^sqlite:/i, '');
  return { ...acquireLock(file, runId), fresh: warehouse.engine === 'ducklake' && !existsSync(file) };
}
