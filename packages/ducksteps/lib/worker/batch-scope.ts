// Inside the worker: whether each gate of an incremental step checks the rows the batch wrote (its batch-scoped
// SQL) or the whole table. It checks the batch only when that gives the whole-table answer: the step's SQL of
// this batch only added rows to the tables the check narrows (and changed no row of the others it reads), the
// rows this batch added are exactly those whose batch_id is the batch's (counted), and the same assertion
// passed on the state this step last committed (ducksteps.gate_passes, written in the step's transaction).
// Otherwise — a full refresh, --recheck, a first batch, a new or changed assertion, a warning last time, a
// script, an engine without batch-scoped gates (engines/traits.ts) — the whole table.
import { createHash } from 'node:crypto';
import type { Session } from '../engines/engine.js';
import { traitsOf } from '../engines/traits.js';
import { dialectOf, type Assertion, type BatchVariant, type Home } from '../model.js';
import type { StepJob } from '../protocol.js';
import type { AssertionResult, StatementResult } from '../results.js';
import { BATCH_COLUMN, BATCH_TOKEN } from '../render/assertion-macros.js';
import { homeName } from '../render/names.js';
import { statementWrites } from '../render/statement-writes.js';
import { splitStatements } from '../sql/split.js';
import { sqlString as text } from '../sql/quote.js';
import { homeOf } from '../warehouse.js';

/** A table the batch wrote: whether it only gained rows, and how many. */
interface Written {
  append: boolean;
  added: number;
}

/** INSERT forms that change rows already there. */
const REWRITES = /^\s*INSERT\s+OR\s+REPLACE\b|\bON\s+CONFLICT\b[\s\S]*\bDO\s+UPDATE\b/i;

/** The tables this batch's statements wrote, each with whether it only gained rows (an UPDATE, DELETE or MERGE
 * that changed no row counts as none), and whether some statement wrote what cannot be named. */
function batchWrites(job: StepJob, home: Home, statements: readonly StatementResult[]) {
  const texts = job.files.map((f) => f.sql);
  const perFile = statementWrites(texts, home);
  const chunks = texts.map((t) => splitStatements(t));
  const tables = new Map<string, Written>();
  let unknown = false;
  for (const s of statements) {
    const i = job.files.findIndex((f) => f.file === s.file);
    const w = perFile[i]?.[s.index - 1];
    if (w === 'unknown') unknown = true;
    if (!w || w === 'unknown') continue;
    const adds = (w.kind === 'insert' || w.kind === 'create-if-absent') && !REWRITES.test(chunks[i][s.index - 1].text);
    const idle = ['clear', 'delete', 'update', 'merge'].includes(w.kind) && s.rowsChanged === 0;
    for (const t of w.tables) {
      const was = tables.get(t) ?? { append: true, added: 0 };
      const alone = w.tables.length === 1;
      tables.set(t, { append: was.append && (idle || (adds && alone)), added: was.added + (adds ? s.rowsChanged : 0) });
    }
  }
  return { tables, unknown };
}

/** Whether the rows of `parts` whose batch column holds `batch` are exactly the `added` rows of this batch. */
async function batchRowsAre(session: Session, parts: readonly string[], batch: number, added: number) {
  const [catalog, schema, table] = parts.map((p) => text(p));
  const { rows } = await session.query(
    `SELECT count(*) AS n FROM duckdb_columns() WHERE lower(database_name) = ${catalog} ` +
      `AND lower(schema_name) = ${schema} AND lower(table_name) = ${table} AND lower(column_name) = '${BATCH_COLUMN}'`,
  );
  if (Number(rows[0].n) === 0) return false;
  const name = parts.map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
  const counted = await session.query(`SELECT count(*) AS n FROM ${name} WHERE ${BATCH_COLUMN} = ${batch}`);
  return Number(counted.rows[0].n) === added;
}

/** Whether the batch variant's narrowed tables hold exactly the batch's rows and its other tables kept theirs. */
async function narrows(
  session: Session,
  home: Home,
  v: BatchVariant,
  batch: number,
  w: ReturnType<typeof batchWrites>,
) {
  if (w.unknown) return false;
  const named = v.tables.filter((t) => t !== '*').map((t) => homeName(home, t));
  const every = v.tables.includes('*') ? [...w.tables.keys()].map((t) => homeName(home, t)) : [];
  for (const { name, parts } of [...named, ...every]) {
    const written = w.tables.get(name);
    if (!written?.append || !(await batchRowsAre(session, parts, batch, written.added))) return false;
  }
  return v.reads.every((t) => w.tables.get(homeName(home, t).name)?.append ?? true);
}

/** The key of an assertion's text: a changed query or argument is a new assertion. */
const keyOf = (a: Assertion) =>
  createHash('sha256')
    .update(`${a.sql}\0${a.batch?.sql ?? ''}`)
    .digest('hex');

const PASSES =
  'CREATE TABLE IF NOT EXISTS ducksteps.gate_passes (pipeline VARCHAR NOT NULL, step VARCHAR NOT NULL, ' +
  'assertion VARCHAR NOT NULL, sql_sha256 VARCHAR NOT NULL, batch_id INTEGER NOT NULL, run_id VARCHAR NOT NULL, ' +
  'passed_at TIMESTAMPTZ NOT NULL)';

/** Assertion -> key, of the gates that passed on the state this step last committed (before this batch). */
async function lastPasses(store: Session, job: StepJob): Promise<Map<string, string>> {
  const mine = `pipeline = ${text(job.connection.pipeline)} AND step = ${text(job.step.id)}`;
  await store.run(PASSES);
  const { rows } = await store.query(
    `SELECT assertion, sql_sha256 FROM ducksteps.gate_passes WHERE ${mine} AND batch_id = ` +
      `(SELECT max(batch_id) FROM ducksteps.step_batches WHERE ${mine} AND batch_id < ${job.ledger!.batch.id})`,
    100_000,
  );
  return new Map(rows.map((r) => [String(r.assertion), String(r.sql_sha256)]));
}

/** For each gate: the SQL to run and what it checks. */
export async function gateScopes(
  session: Session,
  job: StepJob,
  statements: readonly StatementResult[],
  whole: boolean, // --recheck, or a migrated table: every gate on the whole table
): Promise<Array<{ a: Assertion; scope: 'batch' | 'table' }>> {
  const gates = job.gates ?? [];
  const batch = job.ledger?.batch;
  const eligible =
    batch &&
    !batch.fullRefresh &&
    !job.state?.anything &&
    !job.more?.length &&
    !whole &&
    !job.script &&
    traitsOf(dialectOf(job.connection.warehouse)).batchGates;
  if (!eligible || !gates.some((a) => a.batch)) return gates.map((a) => ({ a, scope: 'table' }));
  const passed = await lastPasses(session.ledger ?? session, job);
  const home = homeOf(job.connection.warehouse);
  const writes = batchWrites(job, home, statements);
  const out: Array<{ a: Assertion; scope: 'batch' | 'table' }> = [];
  for (const a of gates) {
    const ok = a.batch && passed.get(a.name) === keyOf(a) && (await narrows(session, home, a.batch, batch.id, writes));
    out.push(
      ok
        ? { a: { ...a, sql: a.batch!.sql.split(BATCH_TOKEN).join(String(batch.id)) }, scope: 'batch' }
        : { a, scope: 'table' },
    );
  }
  return out;
}

/** Records which gates passed on this batch (the next batch may check only its rows) and forgets the others. */
export async function recordPasses(session: Session, job: StepJob, results: readonly AssertionResult[]): Promise<void> {
  const batch = (job.more?.at(-1)?.ledger ?? job.ledger)?.batch; // a refresh from tables: its last batch
  const gates = (job.gates ?? []).filter((a) => a.batch);
  if (!batch || gates.length === 0 || !traitsOf(dialectOf(job.connection.warehouse)).batchGates) return;
  const store = session.ledger ?? session;
  const mine = `pipeline = ${text(job.connection.pipeline)} AND step = ${text(job.step.id)}`;
  await store.run(PASSES);
  const names = gates.map((a) => text(a.name)).join(', ');
  await store.run(`DELETE FROM ducksteps.gate_passes WHERE ${mine} AND assertion IN (${names})`);
  const rows = gates
    .filter((a) => results.find((r) => r.name === a.name)?.status === 'pass')
    .map((a) => [job.connection.pipeline, job.step.id, a.name, keyOf(a)].map((v) => text(v)).join(', '))
    .map((values) => `(${values}, ${batch.id}, ${text(job.runId ?? '')}, now())`);
  if (rows.length) await store.run(`INSERT INTO ducksteps.gate_passes VALUES ${rows.join(', ')}`);
}
