// The publish ledger of a PostgreSQL schema: which batches of which pipeline each target table has received. It
// is the table `<schema>.ducksteps_published`, created on first use and written in the same transaction as the
// delivery, so a batch reaches a target exactly once however runs fail, overlap or are killed. Only a target
// whose query reads {{ pending_batches }} uses it: that query is offered the complete batches this table lacks.
// Rows are kept per pipeline (project/pipeline.ts); a ledger made before that gets the column in place, its
// rows unclaimed (''), and each target's rows go to the first pipeline that delivers to it after.
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

/** Creates the schema's ledger, or adds the pipeline to one made by an earlier version (its rows unclaimed),
 * inside the delivery's transaction; then the target's unclaimed rows become this pipeline's. */
async function prepareLedger(pg: PgSession, ledger: string, table: PgTable, pipeline: string): Promise<void> {
  await pg.query(
    `CREATE TABLE IF NOT EXISTS ${ledger} (target text NOT NULL, batch_id bigint NOT NULL, batch_run_id text NOT NULL, run_id text NOT NULL, delivered_at timestamptz NOT NULL DEFAULT now(), seeded boolean NOT NULL DEFAULT false, pipeline text NOT NULL DEFAULT '', PRIMARY KEY (pipeline, target, batch_id, batch_run_id))`,
  );
  const keyed = await pg.query(
    "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'pipeline'",
    [table.schema, LEDGER_TABLE],
  );
  if (keyed.length === 0) {
    await pg.query(`ALTER TABLE ${ledger} ADD COLUMN pipeline text NOT NULL DEFAULT ''`);
    await pg.query(`ALTER TABLE ${ledger} DROP CONSTRAINT IF EXISTS ${quote(`${LEDGER_TABLE}_pkey`)}`);
    await pg.query(`ALTER TABLE ${ledger} ADD PRIMARY KEY (pipeline, target, batch_id, batch_run_id)`);
  }
  await pg.query(`UPDATE ${ledger} SET pipeline = $1 WHERE target = $2 AND pipeline = ''`, [pipeline, table.table]);
}

/** Locks the schema's ledger for this transaction (created on first use) and works out what is pending:
 * the complete batches the target has not received from this pipeline. A target table that does not exist
 * has received nothing (the pipeline's old rows in the ledger are dropped). A table that exists but has no
 * ledger rows of the pipeline yet (it was published before the ledger existed) is taken to hold every batch
 * but this run's. */
export async function planLedger(
  pg: PgSession,
  table: PgTable,
  pipeline: string,
  liveExists: boolean,
  complete: readonly BatchRef[],
  thisRun: readonly number[],
): Promise<LedgerPlan> {
  const ledger = ledgerOf(table);
  await pg.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ducksteps publish ledger ${table.schema}`]);
  await prepareLedger(pg, ledger, table, pipeline);
  if (!liveExists) {
    await pg.query(`DELETE FROM ${ledger} WHERE pipeline = $1 AND target = $2`, [pipeline, table.table]);
    return { pending: complete, assumed: [], starts: true };
  }
  const rows = await pg.query(`SELECT batch_id, batch_run_id FROM ${ledger} WHERE pipeline = $1 AND target = $2`, [
    pipeline,
    table.table,
  ]);
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
export async function recordLedger(
  pg: PgSession,
  table: PgTable,
  plan: LedgerPlan,
  runId: string,
  pipeline: string,
): Promise<void> {
  const rows = [
    ...(plan.starts ? [[START, true] as const] : []),
    ...plan.pending.map((b) => [b, false] as const),
    ...plan.assumed.map((b) => [b, true] as const),
  ];
  for (let i = 0; i < rows.length; i += 5000) {
    // PostgreSQL takes at most 65,535 parameters a statement
    const chunk = rows.slice(i, i + 5000);
    const values = chunk.map((_, j) => `($1, $3, $${j * 3 + 4}, $${j * 3 + 5}, $2, $${j * 3 + 6})`).join(', ');
    const params = [table.table, runId, pipeline, ...chunk.flatMap(([b, seeded]) => [b.id, b.runId, seeded])];
    await pg.query(
      `INSERT INTO ${ledgerOf(table)} (target, pipeline, batch_id, batch_run_id, run_id, seeded) VALUES ${values}`,
      params,
    );
  }
}
