// Reading the warehouse for show and sql: read-only `query` jobs, never while a run is writing a DuckDB file
// (a reader would hold the file a step is about to open); a DuckLake with its catalog in PostgreSQL is read
// at its last committed snapshot, and a cluster through the cluster alone: no lock stops either.
import { traitsOf } from '../engines/traits.js';
import { LockError, QueryError } from '../errors.js';
import type { Project, Settings } from '../model.js';
import { lockFileOf, lockState } from '../locks/holder.js';
import { runJob } from '../processes/pool.js';
import type { QueryResult } from '../protocol.js';
import { connectionOf } from '../project/pipeline.js';
import { describeWarehouse, warehouseOf } from '../warehouse.js';

/** "2m 13s", "41 s": how long ago an ISO time was. */
function since(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60
    ? `${s} s`
    : s < 3600
      ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`
      : `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Refuses while a live run holds the run lock of a file warehouse, saying which run and for how long. */
function checkNoRun(root: string, settings: Settings, command: string): void {
  if (!traitsOf(settings.engine).readsNeedLock) return;
  const lock = lockState(lockFileOf(root, settings));
  if (!lock?.running || !lock.holder) return;
  throw new LockError(
    `${describeWarehouse(warehouseOf(root, settings))} is being written by a ducksteps run (PID ${lock.holder.pid}, running for ${since(lock.holder.startedAt)}, run ${lock.holder.runId})`,
    {
      hint: `${command} reads it when that run has finished (one DuckDB file takes a writer or readers, not both); a DuckLake with its catalog in PostgreSQL is read at its last snapshot while a run writes (docs/scale.md)`,
    },
  );
}

/** Runs read-only queries on the warehouse; `limit`: rows kept per query (each one's total is still counted). */
export async function readWarehouse(
  project: Pick<Project, 'root'>,
  settings: Settings,
  queries: readonly string[],
  command: string,
  limit?: number,
): Promise<QueryResult[]> {
  checkNoRun(project.root, settings, command);
  const answer = await runJob(project.root, {
    kind: 'query',
    connection: connectionOf(project, settings),
    queries,
    limit,
  });
  if ('died' in answer) throw new QueryError(`cannot read the warehouse: ${answer.died.message}`);
  if ('error' in answer.result) {
    const missing = /does not exist yet/.test(answer.result.error);
    throw new QueryError(`${command}: ${answer.result.error}`, {
      hint: missing
        ? 'a run creates it: ./run.sh (or name another one with --db)'
        : /read-only/i.test(answer.result.error)
          ? `${command} only reads; tables change in a step (./run.sh new NAME)`
          : 'check the table and column names: ./run.sh sql "SHOW ALL TABLES" lists them',
    });
  }
  return [...answer.result.results];
}
