// Opens a session on whatever engine the warehouse names: the registry of engines.
import { existsSync } from 'node:fs';
import type { Connection } from '../model.js';
import type { OpenOptions, Session } from './engine.js';
import { openDatabase } from './duckdb/database.js';

/** Opens the warehouse for a job. */
export async function openSession(connection: Connection, options: OpenOptions = {}): Promise<Session> {
  const { warehouse } = connection;
  switch (warehouse.engine) {
    case 'duckdb':
      return openDatabase(warehouse.path, { ...options, threads: connection.threads, memoryLimit: connection.memoryLimit, lockTimeoutMs: connection.lockTimeoutMs });
  }
}

/** Whether the warehouse exists yet (a read-only job on a warehouse no step has created reads nothing). */
export function warehouseExists(connection: Connection): boolean {
  return existsSync(connection.warehouse.path);
}

/** A scratch in-memory session for parsing (compile, lineage): no warehouse is opened. */
export const openScratch = (): Promise<Session> => openDatabase(':memory:');

/** The warehouse named for people: a path, or an engine URL with secrets left out. */
export const describeWarehouse = (connection: Connection): string => connection.warehouse.path;
