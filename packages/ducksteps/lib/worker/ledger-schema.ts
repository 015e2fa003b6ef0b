// The ledger's tables (schema ducksteps) and their shape. Every row belongs to one pipeline (project/pipeline.ts):
// pipelines sharing a warehouse keep separate ledgers in the same tables. A ledger made by an earlier version
// (no `pipeline` column, or no `duplicate_of`) is read as it is, its rows unclaimed, and migrated in place by the
// first step that writes it, inside that step's transaction: columns added; the rows claimed by the pipeline
// whose files they record (incremental/legacy.ts).
import type { Session } from '../engines/engine.js';
import { sqlString } from '../sql/quote.js';

export const LEDGER_TABLES = ['batches', 'loaded_files', 'step_batches'] as const;
export type LedgerTable = (typeof LEDGER_TABLES)[number];

const CREATE = [
  'CREATE SCHEMA IF NOT EXISTS ducksteps',
  'CREATE TABLE IF NOT EXISTS ducksteps.batches (batch_id INTEGER NOT NULL, full_refresh BOOLEAN NOT NULL, files INTEGER NOT NULL, bytes BIGINT NOT NULL, run_id VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL, pipeline VARCHAR)',
  'CREATE TABLE IF NOT EXISTS ducksteps.loaded_files (batch_id INTEGER NOT NULL, input VARCHAR NOT NULL, path VARCHAR NOT NULL, size BIGINT NOT NULL, mtime_ms DOUBLE NOT NULL, sha256 VARCHAR NOT NULL, step VARCHAR NOT NULL, run_id VARCHAR NOT NULL, loaded_at TIMESTAMPTZ NOT NULL, duplicate_of VARCHAR, pipeline VARCHAR)',
  'CREATE TABLE IF NOT EXISTS ducksteps.step_batches (step VARCHAR NOT NULL, batch_id INTEGER NOT NULL, run_id VARCHAR NOT NULL, rows_changed BIGINT NOT NULL, committed_at TIMESTAMPTZ NOT NULL, pipeline VARCHAR)',
];

/** Which ledger tables exist, which carry the pipeline, and whether files record their duplicates. */
export interface LedgerShape {
  readonly tables: ReadonlySet<LedgerTable>;
  readonly keyed: ReadonlySet<LedgerTable>;
  readonly duplicates: boolean;
}

/** The ledger's shape in the session's current database. */
export async function ledgerShape(session: Session): Promise<LedgerShape> {
  const { rows } = await session.query(
    `SELECT table_name, bool_or(column_name = 'pipeline') AS keyed, bool_or(column_name = 'duplicate_of') AS dup FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'ducksteps' AND table_name IN (${LEDGER_TABLES.map((t) => sqlString(t)).join(', ')}) GROUP BY table_name`,
  );
  const tables = new Set(rows.map((r) => String(r.table_name) as LedgerTable));
  return {
    tables,
    keyed: new Set(rows.filter((r) => r.keyed === true).map((r) => String(r.table_name) as LedgerTable)),
    duplicates: rows.some((r) => r.table_name === 'loaded_files' && r.dup === true),
  };
}

/** A condition keeping only the pipeline's rows of `table` (on a ledger from before pipelines: every row). */
export const mine = (shape: LedgerShape, table: LedgerTable, pipeline: string, alias = ''): string =>
  shape.keyed.has(table) ? `${alias ? `${alias}.` : ''}pipeline = ${sqlString(pipeline)}` : 'true';

/** Creates the ledger, or brings one made by an earlier version up to date (its rows unclaimed: no pipeline),
 * inside the caller's transaction (the step's: it commits with the step's data or not at all). `claim`: the
 * unclaimed rows are this pipeline's (incremental/legacy.ts decided). */
export async function prepareLedger(session: Session, pipeline: string, claim: boolean): Promise<void> {
  for (const sql of CREATE) await session.run(sql);
  const shape = await ledgerShape(session);
  if (!shape.duplicates) await session.run('ALTER TABLE ducksteps.loaded_files ADD COLUMN duplicate_of VARCHAR');
  for (const table of LEDGER_TABLES.filter((t) => !shape.keyed.has(t)))
    await session.run(`ALTER TABLE ducksteps.${table} ADD COLUMN pipeline VARCHAR`);
  if (claim)
    for (const table of LEDGER_TABLES)
      await session.run(`UPDATE ducksteps.${table} SET pipeline = ${sqlString(pipeline)} WHERE pipeline IS NULL`);
}
