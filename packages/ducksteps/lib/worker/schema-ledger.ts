// Each declared table's schema version, in the ledger (ducksteps.table_schemas, a table of its own): a new
// version whenever a step leaves the table with other columns than the last version recorded (created,
// migrated, rebuilt), written in the step's own transaction, so a rolled-back migration records nothing.
import type { SchemaSupport, Session, TableColumn } from '../engines/engine.js';
import type { SchemaChange } from '../results.js';
import { sqlString as text } from '../sql/quote.js';
import type { SeenTable } from './schema-guard.js';

const SCHEMA = [
  'CREATE SCHEMA IF NOT EXISTS ducksteps',
  'CREATE TABLE IF NOT EXISTS ducksteps.table_schemas (table_name VARCHAR NOT NULL, version INTEGER NOT NULL, columns VARCHAR NOT NULL, change VARCHAR NOT NULL, step VARCHAR NOT NULL, batch_id INTEGER, run_id VARCHAR NOT NULL, changed_at TIMESTAMPTZ NOT NULL)',
];

/** "batch_id INTEGER, order_id BIGINT NOT NULL, …": a version's columns. */
export const columnsText = (columns: readonly TableColumn[]): string =>
  columns.map((c) => `${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}`).join(', ');

export interface Who {
  readonly step: string;
  readonly runId: string;
  readonly batchId?: number;
}

/** One entry per table (a refresh declares it once per batch), with every change made to it. */
function perTable(seen: readonly SeenTable[]): SeenTable[] {
  const out = new Map<string, SeenTable>();
  for (const s of seen) {
    const before = out.get(s.declaration.table);
    const change = [before?.change, s.change].filter(Boolean).join('; ') || undefined;
    out.set(s.declaration.table, { ...s, change });
  }
  return [...out.values()];
}

/** Records a new version of every declared table whose columns are not its last recorded version's. */
export async function recordSchemas(
  ledger: Session,
  schema: SchemaSupport,
  seen: readonly SeenTable[],
  who: Who,
): Promise<SchemaChange[]> {
  if (seen.length === 0) return [];
  for (const sql of SCHEMA) await ledger.run(sql);
  const out: SchemaChange[] = [];
  for (const entry of perTable(seen)) {
    const columns = await schema.columns(entry.declaration.name);
    if (!columns) continue; // dropped again by the step
    const now = columnsText(columns);
    const table = entry.declaration.table;
    const last = (
      await ledger.query(
        `SELECT version, columns FROM ducksteps.table_schemas WHERE table_name = ${text(table)} ORDER BY version DESC LIMIT 1`,
      )
    ).rows[0];
    if (last && String(last.columns) === now) continue;
    const version = Number(last?.version ?? 0) + 1;
    const change = entry.change ?? (last ? "changed by the step's statements" : 'first recorded');
    await ledger.run(
      `INSERT INTO ducksteps.table_schemas VALUES (${text(table)}, ${version}, ${text(now)}, ${text(change)}, ${text(who.step)}, ${who.batchId ?? 'NULL'}, ${text(who.runId)}, now())`,
    );
    out.push({ table, version, change, columns: now });
  }
  return out;
}
