// One PostgreSQL transaction per target: the ledger (when the query reads {{ pending_batches }}), the rows
// exported by DuckDB, COPY into a staging table, then swap it in (replace), insert it (append) or merge it
// by key (upsert) after checking the table's columns have not drifted, record the batches, COMMIT. Readers
// see the old table or the new one; any error rolls all of it back, the ledger included.
import { statSync } from 'node:fs';
import { sqlIdent as quote } from '../../sql/quote.js';
import type { PublishTarget } from '../../model.js';
import type { BatchRef, Delivered } from '../kind.js';
import { checkDrift } from './drift.js';
import { planLedger, recordLedger, type LedgerPlan } from './ledger.js';
import { foldingNote, shownName, stagingName, type PgTable } from './names.js';
import type { ColumnPlan } from './types.js';
import type { PgSession } from './delivery.js';

/** What the transaction needs besides the connection. */
export interface PgDelivery {
  readonly target: PublishTarget;
  readonly table: PgTable;
  readonly columns: readonly ColumnPlan[];
  readonly runId: string;
  readonly pipeline: string;
  /** Set when the query reads {{ pending_batches }}: the complete batches and this run's. */
  readonly batches?: { readonly complete: readonly BatchRef[]; readonly thisRun: readonly number[] };
  /** Offers the pending batches to the query and writes its rows to a CSV file; returns its path. */
  exportRows(pending?: readonly number[]): Promise<string>;
}

function ddl(table: string, columns: readonly ColumnPlan[], key: readonly string[]): string {
  const cols = columns.map((c) => `${quote(c.name)} ${c.pgType}`);
  if (key.length) cols.push(`PRIMARY KEY (${key.map(quote).join(', ')})`);
  return `CREATE TABLE ${table} (${cols.join(', ')})`;
}

async function exists(pg: PgSession, sql: string, params: readonly string[]): Promise<boolean> {
  return (await pg.query(sql, params)).length > 0;
}

/** Moves the staged rows into the live table the way the target's mode says, inside the open transaction. */
async function apply(pg: PgSession, d: PgDelivery, live: string, staging: string, liveExists: boolean): Promise<void> {
  const { target, table, columns } = d;
  if (target.mode === 'replace') {
    if (liveExists) await pg.query(`DROP TABLE ${live}`); // the new table, filled, replaces it in this transaction
    await pg.query(`ALTER TABLE ${staging} RENAME TO ${quote(table.table)}`);
    return;
  }
  if (liveExists) await checkDrift(pg, live, staging, target.destination);
  else await pg.query(ddl(live, columns, target.mode === 'upsert' ? target.key : []));
  const names = columns.map((c) => quote(c.name)).join(', ');
  if (target.mode === 'append') {
    await pg.query(`INSERT INTO ${live} (${names}) SELECT ${names} FROM ${staging}`);
  } else {
    const updates = columns
      .filter((c) => !target.key.includes(c.name))
      .map((c) => `${quote(c.name)} = EXCLUDED.${quote(c.name)}`);
    const action = updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
    await pg.query(
      `INSERT INTO ${live} (${names}) SELECT ${names} FROM ${staging} ON CONFLICT (${target.key.map(quote).join(', ')}) ${action}`,
    );
  }
  await pg.query(`DROP TABLE ${staging}`);
}

const batchNote = (plan: LedgerPlan) =>
  plan.pending.length === 0
    ? 'no new batch'
    : `batch${plan.pending.length === 1 ? '' : 'es'} ${plan.pending.map((b) => b.id).join(', ')}`;

/** Publishes the query's rows to the target's table in one transaction. */
export async function deliverInTransaction(pg: PgSession, d: PgDelivery): Promise<Delivered> {
  const { table, target, columns } = d;
  const live = `${quote(table.schema)}.${quote(table.table)}`;
  const staging = `${quote(table.schema)}.${quote(stagingName(table.table))}`;
  if (!(await exists(pg, 'SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [table.schema]))) {
    throw Object.assign(
      new Error(
        `schema ${shownName(table.schema)} does not exist in the database${foldingNote(table.written.schema, table.schema)}`,
      ),
      { hint: `create it (CREATE SCHEMA ${shownName(table.schema)};) or publish to an existing schema` },
    );
  }
  await pg.query('BEGIN');
  try {
    const liveExists = await exists(pg, 'SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2', [
      table.schema,
      table.table,
    ]);
    const ledger =
      d.batches && (await planLedger(pg, table, d.pipeline, liveExists, d.batches.complete, d.batches.thisRun));
    const csv = await d.exportRows(ledger?.pending.map((b) => b.id));
    await pg.query(`DROP TABLE IF EXISTS ${staging}`);
    await pg.query(ddl(staging, columns, target.mode === 'replace' ? target.key : []));
    const rows = await pg.copyFrom(
      `COPY ${staging} (${columns.map((c) => quote(c.name)).join(', ')}) FROM STDIN WITH (FORMAT csv)`,
      csv,
    );
    await apply(pg, d, live, staging, liveExists);
    if (ledger) await recordLedger(pg, table, ledger, d.runId, d.pipeline);
    await pg.query('COMMIT');
    return { rows, bytes: statSync(csv).size, note: ledger && batchNote(ledger) };
  } catch (error) {
    await pg.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
