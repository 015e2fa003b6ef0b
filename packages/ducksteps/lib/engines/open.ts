// Opens a session on whatever engine the warehouse names: the registry of engines.
import { existsSync } from 'node:fs';
import type { Connection, DuckWarehouse } from '../model.js';
import { describeWarehouse, localPart } from '../warehouse.js';
import type { OpenOptions, Session } from './engine.js';
import { openDatabase, type Database } from './duckdb/database.js';
import { attachDeferred } from './defer.js';
import { explainLakeError, type Explained } from './ducklake/errors.js';

// A DuckLake (its PostgreSQL catalog client) and Spark (gRPC, protobuf, Arrow) load only in a worker that opens
// one: a DuckDB file's worker boots without them (tests/boot.test.ts).

/** Opens a DuckDB warehouse: a file or a lake. */
async function openDuck(warehouse: DuckWarehouse, connection: Connection, options: OpenOptions): Promise<Database> {
  const { threads, memoryLimit, lockTimeoutMs } = connection;
  if (warehouse.engine === 'duckdb') {
    const { extensionDir } = warehouse;
    return openDatabase(warehouse.path, { ...options, threads, memoryLimit, lockTimeoutMs, extensionDir });
  }
  const { openLake } = await import('./ducklake/lake.js');
  return openLake(warehouse, { ...options, threads, memoryLimit, lockTimeoutMs });
}

/** Opens the warehouse for a job. */
export async function openSession(connection: Connection, options: OpenOptions = {}): Promise<Session> {
  const { warehouse } = connection;
  if (warehouse.engine !== 'spark') {
    const session = await openDuck(warehouse, connection, options);
    try {
      await attachDeferred(session, connection);
    } catch (error) {
      session.close();
      throw error;
    }
    return session;
  }
  const [{ SparkConnect }, { SparkSession }] = await Promise.all([
    import('./spark/connect/index.js'),
    import('./spark/session.js'),
  ]);
  const spark = await SparkConnect.connect(warehouse.url, { userAgent: 'ducksteps' });
  try {
    return new SparkSession(spark, await openDuck(warehouse.ledger, connection, options), warehouse.ledger);
  } catch (error) {
    await spark.close();
    throw error;
  }
}

/** Opens the warehouse for reading only (show, sql): a DuckDB file or a lake read-only; on Spark the cluster
 * alone, never the ledger store a running step may hold. */
export async function openReader(connection: Connection): Promise<Pick<Session, 'query' | 'close'>> {
  const { warehouse } = connection;
  if (warehouse.engine !== 'spark') return openSession(connection, { readOnly: true });
  const { clusterReader } = await import('./spark/reader.js');
  return clusterReader(warehouse.url);
}

/** The version of the cluster a Spark warehouse names (doctor); undefined for a DuckDB warehouse. */
export async function clusterVersion(connection: Connection): Promise<string | undefined> {
  const { warehouse } = connection;
  if (warehouse.engine !== 'spark') return undefined;
  const reader = await import('./spark/reader.js');
  return reader.clusterVersion(warehouse.url);
}

/** Opens where the batch ledger lives: the warehouse itself, or on Spark its ledger store (no cluster needed). */
export function openLedger(connection: Connection, options: OpenOptions = {}): Promise<Session> {
  return openDuck(localPart(connection.warehouse), connection, options);
}

/** Whether the warehouse may hold data yet: a DuckDB file that does not exist holds none (a lake is
 * attached, and made when new, by the run's first job). */
export function warehouseExists(connection: Connection): boolean {
  const local = localPart(connection.warehouse);
  return local.engine !== 'duckdb' || existsSync(local.path);
}

/** A scratch in-memory session for parsing (compile, lineage): no warehouse is opened. */
export const openScratch = (): Promise<Session> => openDatabase(':memory:');

/** The warehouse named for people (a catalog's password masked). */
export const describe = (connection: Connection): string => describeWarehouse(connection.warehouse);

/** The engine's own account of a failure, when it is one (a lake's catalog connection lost, its data path not
 * writable or not the lake's): what happened and what to do, instead of the engine's internal wording. */
export function explainFailure(connection: Connection, error: unknown): Explained | undefined {
  const { warehouse } = connection; // on Spark, a failure may be the cluster's: its own words stand
  const raw = error instanceof Error ? error.message : String(error);
  return warehouse.engine === 'ducklake' ? explainLakeError(warehouse, raw) : undefined;
}
