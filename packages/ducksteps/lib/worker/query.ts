// Inside the worker: read-only queries for a command (the generic job a new command uses; no handler to add),
// and preparing the warehouse before a run.
import { describe, openSession, warehouseExists } from '../engines/open.js';
import type { PrepareJob, QueryAnswer, QueryJob, QueryResult } from '../protocol.js';
import { repair } from '../engines/spark/repair.js';
import { SparkSession } from '../engines/spark/session.js';
import { SparkConnect } from '../engines/spark/connect/index.js';
import type { Session } from '../engines/engine.js';

/** Runs each query read-only and returns its rows, or the first error's message; never throws. */
export async function runQueries(job: QueryJob): Promise<QueryAnswer> {
  if (!warehouseExists(job.connection))
    return { error: `the warehouse ${describe(job.connection)} does not exist yet` };
  try {
    const session =
      job.connection.warehouse.engine === 'spark'
        ? await clusterOnly(job.connection.warehouse.url) // never opens the ledger store a running step may hold
        : await openSession(job.connection, { readOnly: true });
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

/** Queries on the Spark cluster alone: its tables are views of committed versions, read without the ledger. */
async function clusterOnly(url: string): Promise<Pick<Session, 'query' | 'close'>> {
  const spark = await SparkConnect.connect(url, { userAgent: 'ducksteps' });
  return {
    query: async (sql, limit) => {
      const result = await spark.sql(sql, { limit });
      return { columns: result.columns.map((c) => c.name), rows: result.rows, total: result.rowCount };
    },
    close: () => void spark.close(),
  };
}

/** Opens the warehouse read-write and closes it: a new DuckLake's catalog is created; on Spark, every name
 * shows its last committed version and uncommitted versions are dropped. Never throws. */
export async function prepareWarehouse(job: PrepareJob): Promise<{ error?: string }> {
  try {
    const session = await openSession(job.connection);
    try {
      if (session instanceof SparkSession) await repair(session);
    } finally {
      session.close();
    }
    return {};
  } catch (error) {
    return { error: (error instanceof Error ? error.message : String(error)).split('\n')[0] };
  }
}
