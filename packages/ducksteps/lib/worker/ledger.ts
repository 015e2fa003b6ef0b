// The ledger of incremental steps, in the warehouse itself (schema ducksteps): which batches exist, which
// files each holds, and which step committed which batch. Written in the step's own transaction, so a
// step's data and its record of what it processed commit together or not at all.
import type { Session } from '../engines/engine.js';
import type { Batch } from '../model.js';
import type { LedgerWrite } from '../protocol.js';
import { sqlString as text } from '../sql/quote.js';
import { prepareLedger } from './ledger-schema.js';
import { openRefresh } from './refresh-ledger.js';

async function count(session: Session, sql: string): Promise<number> {
  return Number((await session.query(sql)).rows[0].n);
}

/** The rows of one pipeline's ledger. */
interface Writer {
  readonly session: Session;
  readonly pipeline: string;
  readonly mine: string; // the SQL condition: pipeline = '…'
}

/** Inserts a batch and its files (in statements of at most 1,000 rows). */
async function insertBatch(w: Writer, batch: Batch, step: string, runId: string): Promise<void> {
  const bytes = batch.files.reduce((sum, f) => sum + f.size, 0);
  await w.session.run(
    `INSERT INTO ducksteps.batches (batch_id, full_refresh, files, bytes, run_id, created_at, pipeline) VALUES (${batch.id}, ${batch.fullRefresh}, ${batch.files.length}, ${bytes}, ${text(runId)}, now(), ${text(w.pipeline)})`,
  );
  for (let i = 0; i < batch.files.length; i += 1000) {
    const rows = batch.files
      .slice(i, i + 1000)
      .map(
        (f) =>
          `(${batch.id}, ${text(f.input)}, ${text(f.path)}, ${f.size}, ${f.mtimeMs}, ${text(f.sha256)}, ${text(step)}, ${text(runId)}, now(), ${f.duplicateOf === undefined ? 'NULL' : text(f.duplicateOf)}, ${text(w.pipeline)})`,
      );
    await w.session.run(
      `INSERT INTO ducksteps.loaded_files (batch_id, input, path, size, mtime_ms, sha256, step, run_id, loaded_at, duplicate_of, pipeline) VALUES ${rows.join(', ')}`,
    );
  }
}

/** The guards that make a double load impossible even with a wrong plan: none of a new batch's files is
 * in the pipeline's ledger already, by path or (for a file that is read) by content. */
async function refuseKnown(w: Writer, batch: Batch): Promise<void> {
  if (batch.files.length === 0) return;
  const paths = batch.files.map((f) => text(f.path)).join(', ');
  const twice = await count(
    w.session,
    `SELECT count(*) AS n FROM ducksteps.loaded_files WHERE ${w.mine} AND path IN (${paths})`,
  );
  if (twice > 0)
    throw new Error(`ledger: ${twice} file(s) of batch ${batch.id} are already loaded; refusing to load them twice`);
  const read = batch.files.filter((f) => f.size > 0 && f.duplicateOf === undefined).map((f) => text(f.sha256));
  if (read.length === 0) return;
  const same = await count(
    w.session,
    `SELECT count(*) AS n FROM ducksteps.loaded_files WHERE ${w.mine} AND duplicate_of IS NULL AND size > 0 AND sha256 IN (${read.join(', ')})`,
  );
  if (same > 0)
    throw new Error(
      `ledger: ${same} file(s) of batch ${batch.id} have the content of a loaded file; refusing to load it twice`,
    );
}

/** Before the step's SQL: refuse a batch this step already committed, record a new batch and its files. A
 * full refresh's first batch replaces the pipeline's ledger with every batch of the refresh. */
export async function openBatch(session: Session, write: LedgerWrite, pipeline: string): Promise<void> {
  const { batch, step, runId } = write;
  await prepareLedger(session, pipeline, batch.claim === true);
  const w: Writer = { session, pipeline, mine: `pipeline = ${text(pipeline)}` };
  if (batch.fullRefresh)
    await session.run(`DELETE FROM ducksteps.step_batches WHERE ${w.mine} AND step = ${text(step)}`);
  await openRefresh(session, write, pipeline);
  const done = await count(
    session,
    `SELECT count(*) AS n FROM ducksteps.step_batches WHERE ${w.mine} AND step = ${text(step)} AND batch_id = ${batch.id}`,
  );
  if (done > 0)
    throw new Error(`ledger: step ${step} already committed batch ${batch.id}; refusing to process it twice`);
  if (!batch.isNew) return;
  if (batch.fullRefresh) {
    await session.run(`DELETE FROM ducksteps.loaded_files WHERE ${w.mine}`);
    await session.run(`DELETE FROM ducksteps.batches WHERE ${w.mine}`);
  } else {
    await refuseKnown(w, batch);
  }
  for (const b of [batch, ...(batch.later ?? [])]) await insertBatch(w, b, step, runId);
}

/** After the step's SQL, still inside its transaction: the step committed this batch. */
export async function closeBatch(
  session: Session,
  write: LedgerWrite,
  pipeline: string,
  rowsChanged: number,
): Promise<void> {
  await session.run(
    `INSERT INTO ducksteps.step_batches (step, batch_id, run_id, rows_changed, committed_at, pipeline) VALUES (${text(write.step)}, ${write.batch.id}, ${text(write.runId)}, ${rowsChanged}, now(), ${text(pipeline)})`,
  );
}
