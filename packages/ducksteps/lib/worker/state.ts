// Inside the step's transaction: what it records about changes (docs/internals.md, "Change-aware skip"). At
// its start: the files it reads are stamped, and on a lake the snapshot it reads from is noted. At its end,
// before the gates: a new version of every table it wrote (whether the write only added rows), and the
// step's state — its fingerprint and the versions of everything it read and wrote — so a later run can tell
// nothing it reads changed. Written with the step's data: both commit, or neither.
import { ANYTHING, fileStamps, scriptInputs, type StepRecord, type StepStateJob } from '../changes.js';
import type { Session } from '../engines/engine.js';
import type { StepJob } from '../protocol.js';
import type { StatementResult } from '../results.js';
import { sqlString as text } from '../sql/quote.js';
import { currentVersions, ensureStateTables } from './state-read.js';
import type { StepContext, StepScript } from './step-script.js';

/** What the step's state needs from its start. */
export interface StateStart {
  readonly files: Record<string, string>;
  readonly snapshot?: number;
}

const versionOf = (job: StepJob) => `${job.state!.runId}/${job.step.id}/${job.ledger?.batch.id ?? '-'}`;

/** Where commits are snapshots (a lake), every commit ducksteps makes names its author: another author's
 * snapshot is a write from outside. */
export async function signCommit(session: Session, job: StepJob): Promise<void> {
  await session.snapshots?.sign(`step ${job.step.id}`);
}

/** At the transaction's start: stamps of the files it reads, the snapshot it reads (a lake's). */
export async function startState(session: Session, job: StepJob, root: string): Promise<StateStart> {
  const state = job.state!;
  const files = await fileStamps(root, state.files);
  if (!session.snapshots) return { files };
  return { files, snapshot: await session.snapshots.current() };
}

/** Whether each written table only gained rows: every statement writing it added rows, or changed none. */
export function appendOnly(state: StepStateJob, statements: readonly StatementResult[]): Map<string, boolean> {
  const only = new Map<string, boolean>();
  for (const s of statements) {
    const w = state.statements[s.file]?.[s.index - 1];
    if (!w || w === 'unknown') continue;
    const adds = w.kind === 'insert' || w.kind === 'create-if-absent';
    const idle = ['clear', 'delete', 'update', 'merge'].includes(w.kind) && s.rowsChanged === 0;
    for (const t of w.tables) only.set(t, (only.get(t) ?? true) && (adds || idle));
  }
  return only;
}

/** A new version of every table the step wrote (and of ANYTHING when it wrote what cannot be named). */
export async function writeVersions(
  session: Session,
  job: StepJob,
  statements: readonly StatementResult[],
  batchRows: ReadonlyMap<string, number> = new Map(),
): Promise<Record<string, string>> {
  const state = job.state!;
  const only = appendOnly(state, statements);
  const tables = [...new Set([...state.writes, ...(state.anything ? [ANYTHING] : [])])];
  if (tables.length === 0) return {};
  const version = versionOf(job);
  const batch = job.ledger?.batch.id ?? 'NULL';
  const values = tables.map(
    (t) => `(${text(t)}, ${text(version)}, ${only.get(t) ?? false}, ${batchRows.get(t) ?? 'NULL'})`,
  );
  await session.run(`INSERT INTO ducksteps.table_versions
    SELECT w.t, coalesce(m.seq, 0) + 1, w.version, w.append_only, w.batch_rows, ${text(state.pipeline)}, ${text(job.step.id)}, ${text(state.runId)}, ${batch}, now()
    FROM (VALUES ${values.join(', ')}) AS w(t, version, append_only, batch_rows)
    LEFT JOIN (SELECT table_name, max(seq) AS seq FROM ducksteps.table_versions GROUP BY table_name) AS m ON m.table_name = w.t`);
  return currentVersions(session, tables);
}

/** The step's record: its fingerprint, the versions of what it read and wrote as it commits, the stamps of
 * its files (those it writes as it leaves them), and its script's word on what else it reads. */
export async function stepRecord(
  session: Session | undefined,
  job: StepJob,
  start: StateStart,
  script: StepScript | undefined,
  context: StepContext,
): Promise<StepRecord> {
  const state = job.state!;
  const found = session ? await currentVersions(session, state.reads) : {};
  const tables = Object.fromEntries(state.reads.map((t) => [t, found[t] ?? ''])); // '': no version yet
  const written = await fileStamps(context.projectRoot, state.filesWritten);
  const word = script && (await scriptInputs(script, context));
  const inputs = { tables, files: { ...start.files, ...written }, ...(word ? { script: word } : {}) };
  return {
    fingerprint: state.fingerprint,
    inputs,
    ...(start.snapshot === undefined ? {} : { snapshot: start.snapshot }),
  };
}

/** Writes the step's record (a step that may be up to date next time). */
export async function writeRecord(session: Session, job: StepJob, record: StepRecord): Promise<void> {
  const { pipeline } = job.state!;
  await session.run(`INSERT INTO ducksteps.step_state
    SELECT ${text(pipeline)}, ${text(job.step.id)}, coalesce(max(seq), 0) + 1, ${text(record.fingerprint)}, ${text(JSON.stringify(record.inputs))}, ${record.snapshot ?? 'NULL'}, ${text(job.state!.runId)}, now()
    FROM ducksteps.step_state WHERE pipeline = ${text(pipeline)} AND step = ${text(job.step.id)}`);
}

export { ensureStateTables };

/** The state a step's transaction tracks, from its start to its end (what the worker answers with). */
export class Tracking {
  versions: Record<string, string> = {};
  record?: StepRecord;
  private start: StateStart = { files: {} };

  constructor(
    private readonly session: Session,
    private readonly job: StepJob,
    private readonly root: string,
  ) {}

  /** Where the state is written: the warehouse (or the ledger's store), not a local step's memory database. */
  private get store(): Session | undefined {
    return this.job.state?.local ? undefined : (this.session.ledger ?? this.session);
  }

  /** In the first segment: the tables exist, the files are stamped; a step with a file that commits on its own
   * marks its tables changed before anything of it commits. */
  async begin(): Promise<void> {
    if (!this.job.state) return;
    if (this.store) await ensureStateTables(this.store);
    this.start = await startState(this.store ?? this.session, this.job, this.root);
    if (this.store && this.job.files.some((f) => !f.transaction)) {
      await writeVersions(this.store, this.job, []);
      await signCommit(this.store, this.job);
    }
  }

  /** In the last segment, before the gates: the new versions and the step's record. */
  async finish(statements: readonly StatementResult[], script: StepScript | undefined, context: StepContext) {
    if (!this.job.state) return;
    const store = this.store;
    if (store) this.versions = await writeVersions(store, this.job, statements);
    if (this.job.state.fingerprint) {
      this.record = await stepRecord(store, this.job, this.start, script, context);
      if (store) await writeRecord(store, this.job, this.record);
    }
    if (store) await signCommit(store, this.job);
  }
}
