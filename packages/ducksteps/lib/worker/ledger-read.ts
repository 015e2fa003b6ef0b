// Reading the ledger of incremental steps (the `ledger` job): this pipeline's rows, the rows of a ledger from
// before pipelines that no pipeline has claimed yet, and which other pipelines have batches in it. Read-only:
// `list` and watch read it without the run lock.
import { describe, explainFailure, openLedger, warehouseExists } from '../engines/open.js';
import type { Session } from '../engines/engine.js';
import type { Ledger } from '../model.js';
import type { LedgerAnswer, LedgerJob } from '../protocol.js';
import { readState } from './state-read.js';
import { sqlString as text } from '../sql/quote.js';
import { LEDGER_TABLES, ledgerShape, type LedgerShape, type LedgerTable } from './ledger-schema.js';
import { readRefreshes } from './refresh-ledger.js';
import { lockWaits } from './lock-wait.js';
import { hintFor } from './sql-error.js';

const EMPTY: Ledger = { batches: [], files: [], stepBatches: [] };

type Rows = Omit<Ledger, 'unclaimed' | 'claim' | 'others'>;

/** The ledger's rows that `where` keeps. */
async function rowsWhere(session: Session, shape: LedgerShape, where: (table: LedgerTable) => string): Promise<Rows> {
  const batches = (
    await session.query(
      `SELECT batch_id, full_refresh FROM ducksteps.batches WHERE ${where('batches')} ORDER BY batch_id`,
    )
  ).rows.map((r) => ({ id: Number(r.batch_id), fullRefresh: Boolean(r.full_refresh) }));
  const files = (
    await session.query(
      `SELECT batch_id, input, path, size, mtime_ms, sha256, ${shape.duplicates ? 'duplicate_of' : 'NULL AS duplicate_of'} FROM ducksteps.loaded_files WHERE ${where('loaded_files')} ORDER BY path`,
    )
  ).rows.map((r) => ({
    batchId: Number(r.batch_id),
    input: String(r.input),
    path: String(r.path),
    size: Number(r.size),
    mtimeMs: Number(r.mtime_ms),
    sha256: String(r.sha256),
    ...(r.duplicate_of === null ? {} : { duplicateOf: String(r.duplicate_of) }),
  }));
  const stepBatches = (
    await session.query(`SELECT step, batch_id FROM ducksteps.step_batches WHERE ${where('step_batches')}`)
  ).rows.map((r) => ({ step: String(r.step), batchId: Number(r.batch_id) }));
  return { batches, files, stepBatches };
}

/** The pipeline's rows, and the rows of a ledger from before pipelines that no pipeline has claimed yet. */
async function readTables(session: Session, pipeline: string): Promise<Ledger> {
  const shape = await ledgerShape(session);
  if (shape.tables.size < LEDGER_TABLES.length) return EMPTY;
  const keyed = (table: LedgerTable) => shape.keyed.has(table);
  const own = await rowsWhere(session, shape, (t) => (keyed(t) ? `pipeline = ${text(pipeline)}` : 'false'));
  const unclaimed = await rowsWhere(session, shape, (t) => (keyed(t) ? 'pipeline IS NULL' : 'true'));
  const others = keyed('batches')
    ? (
        await session.query(
          `SELECT DISTINCT pipeline FROM ducksteps.batches WHERE pipeline IS NOT NULL AND pipeline <> ${text(pipeline)} ORDER BY 1`,
        )
      ).rows.map((r) => String(r.pipeline))
    : [];
  return { ...own, refreshes: await readRefreshes(session, pipeline), unclaimed, others };
}

/** Reads the whole ledger (read-only); an absent warehouse or schema is an empty ledger. A warehouse that
 * cannot be opened (another program holds it) is an answer saying so, never a crash. */
export async function readLedger(job: LedgerJob): Promise<LedgerAnswer> {
  if (!warehouseExists(job.connection))
    return { ledger: EMPTY, ...(job.state ? { state: { versions: {}, steps: {} } } : {}) };
  let session: Session;
  try {
    session = await openLedger(job.connection, { readOnly: true, onLockWait: lockWaits(job.connection).onLockWait });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    const explained = explainFailure(job.connection, error);
    return {
      error: {
        message: `cannot open database ${describe(job.connection)}: ${explained?.message ?? message}`,
        hint: explained?.hint ?? hintFor(message) ?? 'check the --db path',
      },
    };
  }
  try {
    const ledger = await readTables(session, job.connection.pipeline);
    if (!job.state) return { ledger };
    return { ledger, state: await readState(session, job.state.pipeline) };
  } finally {
    session.close();
  }
}
