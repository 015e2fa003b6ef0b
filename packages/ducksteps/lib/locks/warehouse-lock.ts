// The run lock for whatever the warehouse is: a lock file beside a DuckDB file (or a DuckLake's DuckDB/SQLite
// catalog file), or, for a DuckLake with its catalog in PostgreSQL, a lock in that PostgreSQL (lake-lock.ts).
import { existsSync } from 'node:fs';
import type { Project, Settings } from '../model.js';
import { pipelineOf } from '../project/pipeline.js';
import { localPart, warehouseOf } from '../warehouse.js';
import { acquireLock, type Lock } from './run-lock.js';

/** Takes the run lock; `fresh`: a DuckLake whose catalog does not exist yet (the run creates it first).
 * `onLost`: told when a lock held in PostgreSQL loses its session while the run goes on. */
export async function lockWarehouse(
  project: Pick<Project, 'root'>,
  settings: Settings,
  runId: string,
  onLost?: (message: string) => void,
): Promise<Lock & { fresh: boolean }> {
  const warehouse = localPart(warehouseOf(project.root, settings)); // on a cluster: its ledger store
  if (warehouse.engine === 'ducklake' && warehouse.catalogKind === 'postgres') {
    const { acquireLakeLock } = await import('./lake-lock.js'); // loads pg: only a lake's run needs it
    const lock = await acquireLakeLock(warehouse.catalog, pipelineOf(project.root).name, runId, onLost);
    return { ...lock, fresh: !lock.lakeExists };
  }
  const file = warehouse.engine === 'duckdb' ? warehouse.path : warehouse.catalog.replace(/^sqlite:/i, '');
  return { ...acquireLock(file, runId), fresh: warehouse.engine === 'ducklake' && !existsSync(file) };
}
