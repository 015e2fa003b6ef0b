// The pending refreshes of a refresh of some incremental steps (--full-refresh --select 04_enrich+), in a ledger
// table of their own (ducksteps.step_refreshes): the refresh's first transaction records that every other step
// of it must start over from that batch, and each step's own first refresh transaction clears its row. So a
// refresh that fails or is killed halfway is finished by the next run, step by step, never half-rebuilt.
import type { Session } from '../engines/engine.js';
import type { LedgerWrite } from '../protocol.js';
import { sqlString as text } from '../sql/quote.js';

const TABLE =
  'CREATE TABLE IF NOT EXISTS ducksteps.step_refreshes (step VARCHAR NOT NULL, batch_id INTEGER NOT NULL, run_id VARCHAR NOT NULL, requested_at TIMESTAMPTZ NOT NULL, pipeline VARCHAR NOT NULL)';

/** The pipeline's pending refreshes ([] when none was ever recorded). */
export async function readRefreshes(
  session: Session,
  pipeline: string,
): Promise<Array<{ step: string; batchId: number }>> {
  const exists = await session.query(
    "SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'ducksteps' AND table_name = 'step_refreshes'",
  );
  if (exists.rows.length === 0) return [];
  const { rows } = await session.query(
    `SELECT step, batch_id FROM ducksteps.step_refreshes WHERE pipeline = ${text(pipeline)}`,
  );
  return rows.map((r) => ({ step: String(r.step), batchId: Number(r.batch_id) }));
}

/** In a full-refresh unit's transaction: a refresh of every step (a new first batch) clears every pending one;
 * the step's own is cleared; the first step of a group refresh records the others'. */
export async function openRefresh(session: Session, write: LedgerWrite, pipeline: string): Promise<void> {
  const mine = `pipeline = ${text(pipeline)}`;
  const { batch, step, runId } = write;
  if (!batch.fullRefresh) return;
  await session.run(TABLE);
  if (batch.isNew) await session.run(`DELETE FROM ducksteps.step_refreshes WHERE ${mine}`);
  await session.run(`DELETE FROM ducksteps.step_refreshes WHERE ${mine} AND step = ${text(step)}`);
  for (const other of (batch.refreshFor ?? []).filter((s) => s !== step))
    await session.run(
      `INSERT INTO ducksteps.step_refreshes VALUES (${text(other)}, ${batch.id}, ${text(runId)}, now(), ${text(pipeline)})`,
    );
}
