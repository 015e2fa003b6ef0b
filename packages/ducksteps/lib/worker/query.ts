// Inside the worker: read-only queries for a command (the generic job a new command uses; no handler to add),
// and preparing the warehouse before a run.
import { describe, explainFailure, openReader, openSession, warehouseExists } from '../engines/open.js';
import { DuckstepsError } from '../errors.js';
import type { PrepareJob, QueryAnswer, QueryJob, QueryResult } from '../protocol.js';
import { takeOver } from './fence.js';

/** Runs each query read-only and returns its rows, or the first error's message; never throws. */
export async function runQueries(job: QueryJob): Promise<QueryAnswer> {
  if (!warehouseExists(job.connection))
    return { error: `the warehouse ${describe(job.connection)} does not exist yet` };
  try {
    const session = await openReader(job.connection);
    try {
      const results: QueryResult[] = [];
      for (const sql of job.queries) results.push(await session.query(sql, job.limit));
      return { results };
    } finally {
      session.close();
    }
  } catch (error) {
    return { error: (error instanceof Error ? error.message : String(error)).split('\n')[0] };
  }
}

/** Opens the warehouse read-write and closes it: a new DuckLake's catalog is created; an engine that needs it
 * puts the warehouse in order (Session.prepare); a run that took a lake's lock writes its fence (a run that held
 * the lock before can commit nothing more). Never throws. */
export async function prepareWarehouse(job: PrepareJob): Promise<{ error?: string; hint?: string }> {
  try {
    const session = await openSession(job.connection);
    try {
      await session.prepare?.();
      if (job.fence) await takeOver(session.ledger ?? session, job.fence);
    } finally {
      session.close();
    }
    return {};
  } catch (error) {
    const explained = explainFailure(job.connection, error);
    if (explained) return { error: explained.message, hint: explained.hint };
    const what = error instanceof DuckstepsError ? error.shortMessage : ((error as Error)?.message ?? String(error));
    return { error: what.split('\n')[0], hint: error instanceof DuckstepsError ? error.hint : undefined };
  }
}
