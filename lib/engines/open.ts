// Opens a session on whatever engine the warehouse names: the registry of engines.
import { existsSync } from 'node:fs';
import type { Connection } from '../model.js';
import { describeWarehouse } from '../warehouse.js';
import type { OpenOptions, Session } from './engine.js';
import { openDatabase } from './duckdb/database.js';
import { openLake } from './ducklake/lake.js';

/** Opens the warehouse for a job. */
export async function openSession(connection: Connection, options: OpenOptions = {}): Promise<Session> {
  const { warehouse, threads, memoryLimit, lockTimeoutMs } = connection;
  switch (warehouse.engine) {
    case 'duckdb':
      return openDatabase(warehouse.path, { ...options, threads, memoryLimit, lockTimeoutMs, extensionDir: warehouse.extensionDir });
    case 'ducklake':
      return openLake(warehouse, { ...options, threads, memoryLimit, lockTimeoutMs });
  }
}

/** Whether the warehouse may hold data yet: a DuckDB file that does not exist holds none (a lake is
 * attached, and made when new, by the run's first job). */
export function warehouseExists(connection: Connection): boolean {
  return connection.warehouse.engine !== 'duckdb' || existsSync(connection.warehouse.path);
}

/** A scratch in-memory session for parsing (compile, lineage): no warehouse is opened. */
export const openScratch = (): Promise<Session> => openDatabase(':memory:');

/** The warehouse named for people (a catalog's password masked). */
export const describe = (connection: Connection): string => describeWarehouse(connection.warehouse);
