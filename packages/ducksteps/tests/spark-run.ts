// Helpers of the Spark engine's tests: the CLI on a cluster, a Spark client for checks, the ledger's versions.
import { SparkConnect } from '../lib/engines/spark/connect/index.js';
import { cli, query } from './helpers.js';

/** The compiled CLI with --engine spark on the cluster at `url` (extra environment allowed). */
export const sparkCli = (dir: string, url: string, args: string[] = [], env: Record<string, string> = {}) =>
  cli(dir, ['--engine', 'spark', ...args], { DUCKSTEPS_SPARK_URL: url, ...env });

/** Rows of one query on the cluster, from a session of its own. */
export async function onSpark(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const spark = await SparkConnect.connect(url, { userAgent: 'ducksteps-tests' });
  try {
    return (await spark.sql(sql)).rows;
  } finally {
    await spark.close();
  }
}

/** The tables (and views) of a schema on the cluster, by name. */
export const tablesOf = async (url: string, schema: string): Promise<string[]> =>
  (await onSpark(url, `SHOW TABLES IN ${schema}`)).map((r) => String(r.tableName)).sort();

/** The ledger's version rows (name, physical, state, repointed), oldest first. */
export const versionRows = (ledger: string) =>
  query(
    ledger,
    'SELECT name, physical, kind, state, repointed FROM ducksteps.spark_versions ORDER BY committed_at, name',
  );
