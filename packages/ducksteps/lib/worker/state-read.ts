// The change-tracking tables of the warehouse (schema ducksteps, beside the batch ledger): each table's
// versions (a row per commit that wrote it), each step's state at its last successful commit. Rows are only
// ever added (concurrent writers to a DuckLake never conflict over them); the latest `seq` is the current one. Read here in one go for the driver, with the ledger.
import type { Session } from '../engines/engine.js';
import type { RecordedState, StepInputs, StepRecord } from '../changes.js';
import { sqlString as text } from '../sql/quote.js';

export const STATE_SCHEMA = [
  'CREATE SCHEMA IF NOT EXISTS ducksteps',
  'CREATE TABLE IF NOT EXISTS ducksteps.table_versions (table_name VARCHAR NOT NULL, seq BIGINT NOT NULL, version VARCHAR NOT NULL, append_only BOOLEAN NOT NULL, batch_rows INTEGER, pipeline VARCHAR, step VARCHAR NOT NULL, run_id VARCHAR NOT NULL, batch_id INTEGER, written_at TIMESTAMPTZ NOT NULL)',
  'CREATE TABLE IF NOT EXISTS ducksteps.step_state (pipeline VARCHAR, step VARCHAR NOT NULL, seq BIGINT NOT NULL, fingerprint VARCHAR NOT NULL, inputs VARCHAR NOT NULL, snapshot BIGINT, run_id VARCHAR NOT NULL, committed_at TIMESTAMPTZ NOT NULL)',
];

/** The state tables that exist in the session's current database. */
async function stateTables(session: Session): Promise<Set<string>> {
  const { rows } = await session.query(
    "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'ducksteps' AND table_name IN ('table_versions', 'step_state')",
  );
  return new Set(rows.map((r) => String(r.table_name)));
}

/** The current version of tables (all of them, or `only`): the latest seq, and every version written at it
 * (two concurrent writers of a lake may both have written the same seq). */
export async function currentVersions(session: Session, only?: readonly string[]): Promise<Record<string, string>> {
  if (only?.length === 0) return {};
  const where = only ? `WHERE table_name IN (${only.map(text).join(', ')})` : '';
  const { rows } = await session.query(
    `SELECT v.table_name, v.seq, string_agg(v.version, ',' ORDER BY v.version) AS versions FROM ducksteps.table_versions AS v
     JOIN (SELECT table_name, max(seq) AS seq FROM ducksteps.table_versions ${where} GROUP BY table_name) AS m USING (table_name, seq)
     GROUP BY v.table_name, v.seq`,
  );
  return Object.fromEntries(rows.map((r) => [String(r.table_name), `${r.seq}:${r.versions}`]));
}

async function stepRecords(session: Session, pipeline: string): Promise<Record<string, StepRecord>> {
  const { rows } = await session.query(
    `SELECT s.step, s.fingerprint, s.inputs, s.snapshot FROM ducksteps.step_state AS s
     JOIN (SELECT step, max(seq) AS seq FROM ducksteps.step_state WHERE pipeline = ${text(pipeline)} GROUP BY step) AS m USING (step, seq)
     WHERE s.pipeline = ${text(pipeline)}`,
  );
  return Object.fromEntries(
    rows.map((r) => [
      String(r.step),
      {
        fingerprint: String(r.fingerprint),
        inputs: JSON.parse(String(r.inputs)) as StepInputs,
        ...(r.snapshot === null ? {} : { snapshot: Number(r.snapshot) }),
      },
    ]),
  );
}

/** Everything recorded about changes, for the driver's decisions (empty where nothing was recorded yet). */
export async function readState(session: Session, pipeline: string): Promise<RecordedState> {
  const tables = await stateTables(session);
  // where commits are snapshots (a lake): the last one another author committed, a write ducksteps did not make
  const foreign = session.snapshots ? { foreign: await session.snapshots.lastForeign() } : {};
  return {
    versions: tables.has('table_versions') ? await currentVersions(session) : {},
    steps: tables.has('step_state') ? await stepRecords(session, pipeline) : {},
    ...foreign,
  };
}

/** Creates the state tables (inside the step's transaction: they commit with its data or not at all). */
export async function ensureStateTables(session: Session): Promise<void> {
  for (const sql of STATE_SCHEMA) await session.run(sql);
}
