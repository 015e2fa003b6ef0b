// A read-only reader on the Spark cluster alone (show, sql; doctor asks its version): its tables are views of committed versions, so
// they read right without the ledger store, which a running step may hold.
import type { Session } from '../engine.js';
import { SparkConnect } from './connect/index.js';

/** Queries on the cluster `url`; no ledger is opened. */
export async function clusterReader(url: string): Promise<Pick<Session, 'query' | 'close'>> {
  const spark = await SparkConnect.connect(url, { userAgent: 'ducksteps' });
  return {
    query: async (sql, limit) => {
      const result = await spark.sql(sql, { limit });
      return { columns: result.columns.map((c) => c.name), rows: result.rows, total: result.rowCount };
    },
    close: () => void spark.close(),
  };
}

/** The cluster's Spark version (doctor). */
export async function clusterVersion(url: string): Promise<string> {
  const spark = await SparkConnect.connect(url, { userAgent: 'ducksteps' });
  try {
    return String((await spark.sql('SELECT version() AS v')).rows[0]?.v ?? '?').split(' ')[0];
  } finally {
    await spark.close();
  }
}
