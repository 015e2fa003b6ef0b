// The publish ledger of a PostgreSQL schema: which batches each target table has received. It is the table
// `<schema>.ducksteps_published`, created on first use and written in the same transaction as the delivery,
// so a batch reaches a target exactly once however runs fail, overlap or are killed. Only a target whose query
// reads {{ pending_batches }} uses it: that query is offered the complete batches this table lacks.
import type { BatchRef } from '../kind.js';
import { LEDGER_TABLE, type PgTable } from './names.js';
import type { PgSession } from './delivery.js';
import { sqlIdent as quote } from '../../sql/quote.js';

const ledgerOf = (table: PgTable) => `${quote(table.schema)}.${quote(LEDGER_TABLE)}`;
const key = (b: BatchRef) => `${b.id} ${b.runId}`;

/** What to offer, and what to record once the rows are in. */
export interface LedgerPlan {
  readonly pending: readonly BatchRef[]; // offered to the query, recorded as delivered
  readonly assumed: readonly BatchRef[]; // recorded as delivered before the ledger existed (seeded)
  readonly starts: boolean; // the target has no ledger rows yet: record the row that starts its ledger
}

/** The row (batch 0, which no batch has) that says a target's ledger exists, even before any batch. */
const START: BatchRef = { id: 0, runId: '' };

/** Locks the schema's ledger for this transaction (created on first use) and works out what is pending:
 * the complete batches the target has not received. A target table that does not exist has received
 * nothing (its old rows in the ledger are dropped). A table that exists but has no ledger rows yet (it was
 * published before the ledger existed) is taken to hold every batch but this run's. */
export async function planLedger(
  pg: PgSession,
  table: PgTable,
  liveExists: boolean,
  complete: readonly BatchRef[],
  thisRun: readonly number[],
): Promise<LedgerPlan> {
  const ledger = ledgerOf(table);
  await pg.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ducksteps publish ledger ${table.schema}`]);
  await pg.query(
    `CREATE TABLE IF NOT EXISTS ${ledger} (target text NOT NULL, batch_id bigint NOT NULL, batch_run_id text NOT NULL, run_id text NOT NULL, delivered_at timestamptz NOT NULL DEFAULT now(), seeded boolean NOT NULL DEFAULT false, PRIMARY KEY (target, batch_id, batch_run_id))`,
  );
  if (!liveExists) {
    await pg.query(`DELETE FROM ${ledger} WHERE target = $1`, [table.table]);
    return { pending: complete, assumed: [], starts: true };
  }
  const rows = await pg.query(`SELECT batch_id, batch_run_id FROM ${ledger} WHERE target = $1`, [table.table]);
  if (rows.length === 0) {
    const mine = new Set(thisRun);
    return {
      pending: complete.filter((b) => mine.has(b.id)),
      assumed: complete.filter((b) => !mine.has(b.id)),
      starts: true,
    };
  }
  const delivered = new Set(rows.map((r) => key({ id: Number(r.batch_id), runId: String(r.batch_run_id) })));
  return { pending: complete.filter((b) => !delivered.has(key(b))), assumed: [], starts: false };
}

/** Records the batches as delivered to the target, inside the delivery's transaction (a batch recorded
 * twice fails the primary key, and with it the whole delivery). */
export async function recordLedger(pg: PgSession, table: PgTable, plan: LedgerPlan, runId: string): Promise<void> {
  const rows = [
    ...(plan.starts ? [[START, true] as const] : []),
    ...plan.pending.map((b) => [b, false] as const),
    ...plan.assumed.map((b) => [b, true] as const),
  ];
  for (let i = 0; i < rows.length; i += 5000) {
    // PostgreSQL takes at most 65,535 parameters a statement
    const chunk = rows.slice(i, i + 5000);
    const values = chunk.map((_, j) => `($1, $${j * 3 + 3}, $${j * 3 + 4}, $2, $${j * 3 + 5})`).join(', ');
    const params = [table.table, runId, ...chunk.flatMap(([b, seeded]) => [b.id, b.runId, seeded])];
    await pg.query(
      `INSERT INTO ${ledgerOf(table)} (target, batch_id, batch_run_id, run_id, seeded) VALUES ${values}`,
      params,
    );
  }
}
