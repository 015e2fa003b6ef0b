// Which warehouse each run ran against — logs/runs.csv, one row per run that ran steps or published — so
// `logs` compares a run only with earlier runs of the same warehouse: the timings and batch ids of another
// warehouse (a test database, a lake, a --db for a backfill) say nothing about this one.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, relative } from 'node:path';
import { appendCsv, parseCsv } from './csv.js';

export const RUNS_HEADER = ['run_id', 'warehouse'] as const;

const runsPath = (logs: string) => join(logs, 'runs.csv');

/** A warehouse as runs.csv names it: the --db as given (its password already masked), a path inside the
 * project relative to it; on a cluster engine, where --db names the ledger's store, `<engine>, ledger <db>`. */
export function warehouseKey(root: string, database: string, engine?: string): string {
  const inside = isAbsolute(database) && !relative(root, database).startsWith('..');
  const local = /^ducklake:/i.test(database)
    ? database
    : normalize(inside ? relative(root, database) : database).replace(/\\/g, '/');
  return engine && engine !== 'duckdb' ? `${engine}, ledger ${local}` : local;
}

/** Records the warehouse a run runs against. */
export function recordRun(logs: string, runId: string, warehouse: string): void {
  appendCsv(runsPath(logs), RUNS_HEADER, [[runId, warehouse]]);
}

/** Run id -> warehouse, for the runs recorded (runs from before ducksteps recorded them have none). */
export function runWarehouses(logs: string): Map<string, string> {
  if (!existsSync(runsPath(logs))) return new Map();
  const [, ...rows] = parseCsv(readFileSync(runsPath(logs), 'utf8'));
  return new Map(rows.filter((r) => r.length >= 2).map((r) => [r[0], r[1]]));
}

/** The rows of runs on the warehouse `runId` ran against (for a run with no record: the runs with none). */
export function onWarehouseOf<T extends Readonly<Record<string, string>>>(
  rows: readonly T[],
  runId: string,
  warehouses: ReadonlyMap<string, string>,
): T[] {
  const warehouse = warehouses.get(runId);
  return rows.filter((r) => warehouses.get(r.run_id) === warehouse);
}
