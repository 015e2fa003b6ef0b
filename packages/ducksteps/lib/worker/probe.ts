// Inside the worker, for `doctor`: DuckDB's version, each extension the warehouse needs loaded on a scratch
// database (as the engines load them: a flat folder file by file, or DuckDB's extension directory), and a
// cluster asked for its version. Never opens the warehouse; never throws.
import { loadFlat, openDatabase } from '../engines/duckdb/database.js';
import { clusterVersion } from '../engines/open.js';
import { onCluster } from '../model.js';
import { localPart } from '../warehouse.js';
import type { ProbeAnswer, ProbeJob } from '../protocol.js';

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];

async function askCluster(job: ProbeJob): Promise<ProbeAnswer['cluster']> {
  try {
    return { version: await clusterVersion(job.connection) };
  } catch (error) {
    return { error: firstLine(error) };
  }
}

/** DuckDB's version, each extension loaded (or why not), the cluster's version when the warehouse is on one. */
export async function probe(job: ProbeJob): Promise<ProbeAnswer> {
  const { extensionDir } = localPart(job.connection.warehouse);
  const db = await openDatabase(':memory:', { extensionDir });
  try {
    const duckdb = String((await db.query('SELECT version() AS v')).rows[0]?.v ?? '?');
    const extensions: ProbeAnswer['extensions'][number][] = [];
    for (const name of job.extensions) {
      try {
        if (extensionDir) await loadFlat(db, extensionDir, [name]);
        await db.run(`LOAD ${name}`);
        extensions.push({ name });
      } catch (error) {
        extensions.push({ name, error: firstLine(error) });
      }
    }
    const { warehouse } = job.connection;
    return { duckdb, extensions, cluster: onCluster(warehouse) ? await askCluster(job) : undefined };
  } finally {
    db.close();
  }
}
