// The ledger of incremental steps, in the warehouse itself (schema ducksteps): which batches exist, which
// files each holds, and which step committed which batch. Written in the step's own transaction, so a
// step's data and its record of what it processed commit together or not at all.
import { describe, openLedger, warehouseExists } from '../engines/open.js';
import type { Session } from '../engines/engine.js';
import type { Batch, Ledger } from '../model.js';
import type { LedgerAnswer, LedgerJob, LedgerWrite } from '../protocol.js';
import { sqlString as text } from '../sql/quote.js';
import { lockWaits } from './lock-wait.js';
import { hintFor } from './sql-error.js';

const SCHEMA = [
  'CREATE SCHEMA IF NOT EXISTS ducksteps',
  'CREATE TABLE IF NOT EXISTS ducksteps.batches (batch_id INTEGER NOT NULL, full_refresh BOOLEAN NOT NULL, files INTEGER NOT NULL, bytes BIGINT NOT NULL, run_id VARCHAR NOT NULL, created_at TIMESTAMPTZ NOT NULL)',
  'CREATE TABLE IF NOT EXISTS ducksteps.loaded_files (batch_id INTEGER NOT NULL, input VARCHAR NOT NULL, path VARCHAR NOT NULL, size BIGINT NOT NULL, mtime_ms DOUBLE NOT NULL, sha256 VARCHAR NOT NULL, step VARCHAR NOT NULL, run_id VARCHAR NOT NULL, loaded_at TIMESTAMPTZ NOT NULL, duplicate_of VARCHAR)',
  'ALTER TABLE ducksteps.loaded_files ADD COLUMN IF NOT EXISTS duplicate_of VARCHAR', // ledgers from before duplicates were recorded
  'CREATE TABLE IF NOT EXISTS ducksteps.step_batches (step VARCHAR NOT NULL, batch_id INTEGER NOT NULL, run_id VARCHAR NOT NULL, rows_changed BIGINT NOT NULL, committed_at TIMESTAMPTZ NOT NULL)',
];

const EMPTY: Ledger = { batches: [], files: [], stepBatches: [] };

async function readTables(session: Session): Promise<Ledger> {
  const { rows } = await session.query(
    "SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'ducksteps' AND table_name IN ('batches', 'loaded_files', 'step_batches')",
  );
  if (Number(rows[0].n) < 3) return EMPTY;
  const dup = (
    await session.query(
      "SELECT count(*) AS n FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'ducksteps' AND table_name = 'loaded_files' AND column_name = 'duplicate_of'",
    )
  ).rows[0].n;
  const batches = (
    await session.query('SELECT batch_id, full_refresh FROM ducksteps.batches ORDER BY batch_id')
  ).rows.map((r) => ({ id: Number(r.batch_id), fullRefresh: Boolean(r.full_refresh) }));
  const files = (
    await session.query(
      `SELECT batch_id, input, path, size, mtime_ms, sha256, ${Number(dup) ? 'duplicate_of' : 'NULL AS duplicate_of'} FROM ducksteps.loaded_files ORDER BY path`,
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
  const stepBatches = (await session.query('SELECT step, batch_id FROM ducksteps.step_batches')).rows.map((r) => ({
    step: String(r.step),
    batchId: Number(r.batch_id),
  }));
  return { batches, files, stepBatches };
}

/** Reads the whole ledger (read-only); an absent warehouse or schema is an empty ledger. A warehouse that
 * cannot be opened (another program holds it) is an answer saying so, never a crash. */
export async function readLedger(job: LedgerJob): Promise<LedgerAnswer> {
  if (!warehouseExists(job.connection)) return { ledger: EMPTY };
  let session: Session;
  try {
    session = await openLedger(job.connection, { readOnly: true, onLockWait: lockWaits(job.connection).onLockWait });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return {
      error: {
        message: `cannot open database ${describe(job.connection)}: ${message}`,
        hint: hintFor(message) ?? 'check the --db path',
      },
    };
  }
  try {
    return { ledger: await readTables(session) };
  } finally {
    session.close();
  }
}

async function count(session: Session, sql: string): Promise<number> {
  return Number((await session.query(sql)).rows[0].n);
}

/** Inserts a batch and its files (in statements of at most 1,000 rows). */
async function insertBatch(session: Session, batch: Batch, step: string, runId: string): Promise<void> {
  const bytes = batch.files.reduce((sum, f) => sum + f.size, 0);
  await session.run(
    `INSERT INTO ducksteps.batches VALUES (${batch.id}, ${batch.fullRefresh}, ${batch.files.length}, ${bytes}, ${text(runId)}, now())`,
  );
  for (let i = 0; i < batch.files.length; i += 1000) {
    const rows = batch.files
      .slice(i, i + 1000)
      .map(
        (f) =>
          `(${batch.id}, ${text(f.input)}, ${text(f.path)}, ${f.size}, ${f.mtimeMs}, ${text(f.sha256)}, ${text(step)}, ${text(runId)}, now(), ${f.duplicateOf === undefined ? 'NULL' : text(f.duplicateOf)})`,
      );
    await session.run(`INSERT INTO ducksteps.loaded_files VALUES ${rows.join(', ')}`);
  }
}

/** The guards that make a double load impossible even with a wrong plan: none of a new batch's files is
 * in the ledger already, by path or (for a file that is read) by content. */
async function refuseKnown(session: Session, batch: Batch): Promise<void> {
  if (batch.files.length === 0) return;
  const paths = batch.files.map((f) => text(f.path)).join(', ');
  const twice = await count(session, `SELECT count(*) AS n FROM ducksteps.loaded_files WHERE path IN (${paths})`);
  if (twice > 0)
    throw new Error(`ledger: ${twice} file(s) of batch ${batch.id} are already loaded; refusing to load them twice`);
  const read = batch.files.filter((f) => f.size > 0 && f.duplicateOf === undefined).map((f) => text(f.sha256));
  if (read.length === 0) return;
  const same = await count(
    session,
    `SELECT count(*) AS n FROM ducksteps.loaded_files WHERE duplicate_of IS NULL AND size > 0 AND sha256 IN (${read.join(', ')})`,
  );
  if (same > 0)
    throw new Error(
      `ledger: ${same} file(s) of batch ${batch.id} have the content of a loaded file; refusing to load it twice`,
    );
}

/** Before the step's SQL: refuse a batch this step already committed, record a new batch and its files. A
 * full refresh's first batch replaces the ledger with every batch of the refresh. */
export async function openBatch(session: Session, write: LedgerWrite): Promise<void> {
  const { batch, step, runId } = write;
  for (const sql of SCHEMA) await session.run(sql);
  if (
    (await count(
      session,
      `SELECT count(*) AS n FROM ducksteps.step_batches WHERE step = ${text(step)} AND batch_id = ${batch.id}`,
    )) > 0
  ) {
    throw new Error(`ledger: step ${step} already committed batch ${batch.id}; refusing to process it twice`);
  }
  if (batch.fullRefresh) await session.run(`DELETE FROM ducksteps.step_batches WHERE step = ${text(step)}`);
  if (!batch.isNew) return;
  if (batch.fullRefresh) {
    await session.run('DELETE FROM ducksteps.loaded_files');
    await session.run('DELETE FROM ducksteps.batches');
  } else {
    await refuseKnown(session, batch);
  }
  for (const b of [batch, ...(batch.later ?? [])]) await insertBatch(session, b, step, runId);
}

/** After the step's SQL, still inside its transaction: the step committed this batch. */
export async function closeBatch(session: Session, write: LedgerWrite, rowsChanged: number): Promise<void> {
  await session.run(
    `INSERT INTO ducksteps.step_batches VALUES (${text(write.step)}, ${write.batch.id}, ${text(write.runId)}, ${rowsChanged}, now())`,
  );
}
