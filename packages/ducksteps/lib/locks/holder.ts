// Who holds a warehouse's run lock, looked at without taking it: show and sql say that a run is writing and for
// how long; doctor finds a lock its run left behind when it died.
import { existsSync, readFileSync } from 'node:fs';
import type { Settings } from '../model.js';
import { alive } from '../processes/alive.js';
import { localPart, warehouseOf } from '../warehouse.js';

export interface LockState {
  /** The lock file. */
  readonly path: string;
  /** Its run, when the file names one. */
  readonly holder?: { readonly pid: number; readonly runId: string; readonly startedAt: string };
  /** Whether that run's process is still running (false: a stale lock). */
  readonly running: boolean;
}

/** The lock file of a DuckDB file, or of a DuckLake's file catalog; undefined for a lake whose catalog is in
 * PostgreSQL (its lock is a session lock there, gone with its holder's connection). */
export function lockFileOf(
  root: string,
  settings: Pick<Settings, 'database' | 'dataPath' | 'engine'>,
): string | undefined {
  const warehouse = localPart(warehouseOf(root, { ...settings, extensionDir: undefined }));
  if (warehouse.engine === 'duckdb') return `${warehouse.path}.lock`;
  return warehouse.catalogKind === 'postgres' ? undefined : `${warehouse.catalog.replace(/^sqlite:/i, '')}.lock`;
}

/** The state of the run lock at `path`, or undefined when there is none. */
export function lockState(path: string | undefined): LockState | undefined {
  if (!path || !existsSync(path)) return undefined;
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as LockState['holder'];
    return { path, holder, running: Boolean(holder && alive(holder.pid)) };
  } catch {
    return { path, running: false }; // half-written by a run that died while writing it
  }
}
