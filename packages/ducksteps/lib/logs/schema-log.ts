// logs/schema_changes.csv: one row per new schema version of a declared table (created, migrated, rebuilt),
// as the step that committed it reported it; `logs` shows the recent ones. The ledger's
// ducksteps.table_schemas holds the same versions inside the warehouse, committed with the data.
import { join } from 'node:path';
import type { StepReport } from '../results.js';
import { appendCsv } from './csv.js';
import { readLog } from './history.js';

export const SCHEMA_LOG_HEADER = ['run_id', 'step', 'batch_id', 'table', 'version', 'change', 'columns'] as const;

/** Appends the schema versions a committed step made. */
export function logSchemaChanges(logsDir: string, runId: string, report: StepReport): void {
  const changes = report.schemaChanges ?? [];
  if (changes.length === 0) return;
  appendCsv(
    join(logsDir, 'schema_changes.csv'),
    SCHEMA_LOG_HEADER,
    changes.map((c) => [runId, report.step.id, report.batch?.id, c.table, c.version, c.change, c.columns]),
  );
}

export interface SchemaRow {
  readonly runId: string;
  readonly step: string;
  readonly table: string;
  readonly version: number;
  readonly change: string;
}

/** The last `count` schema changes (first versions left out), newest first. */
export function recentSchemaChanges(logs: string, count = 10): SchemaRow[] {
  return readLog(join(logs, 'schema_changes.csv'))
    .filter((r) => Number(r.version) > 1)
    .slice(-count)
    .reverse()
    .map((r) => ({ runId: r.run_id, step: r.step, table: r.table, version: Number(r.version), change: r.change }));
}
