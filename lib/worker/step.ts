// Inside the worker: run one step's statements (and script hooks) in one transaction, commit or roll back.
import { mark } from '../trace.js';
import { lineIndex } from '../render/line-map.js';
import { openDatabase, type Database } from './duckdb.js';
import { closeBatch, openBatch } from './ledger.js';
import { hintFor, locateSqlError } from './sql-error.js';
import { splitStatements, statementKind } from '../render/split.js';
import { loadScript, scriptError, type StepContext, type StepScript } from './step-script.js';
import { blocks, checkAssertion } from './assertions.js';
import type { AssertionResult, RenderedFile, StatementResult, StepError, StepJob, StepOutcome, WorkerStats } from '../types.js';

class StatementFailure extends Error {
  constructor(readonly located: StepError) {
    super(located.message);
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 160);

/** The statement running now, for the progress messages the driver shows on a long statement. */
let current: { file: string; line: number; index: number; count: number; started: number } | undefined;
const PROGRESS_AFTER_MS = 2000;

/** Every second of a statement running longer than 2 s: DuckDB's progress to the driver, over IPC. */
function reportProgress(db: Database): NodeJS.Timeout {
  return setInterval(() => {
    if (!current || performance.now() - current.started < PROGRESS_AFTER_MS) return;
    const { percentage, rows } = db.progress();
    process.send?.({ kind: 'progress', file: current.file, line: current.line, index: current.index, count: current.count, percentage, rows, elapsedMs: Math.round(performance.now() - current.started) });
  }, 1000).unref();
}

/** How many of the logged statements are committed (all of them once the step commits). */
interface Progress {
  committed: number;
}

/** Runs a file's statements, recording each; throws StatementFailure on the first error. Outside a
 * transaction (a no-transaction file) every statement commits on its own. */
async function runFile(db: Database, file: RenderedFile, log: StatementResult[], progress: Progress): Promise<void> {
  const chunks = splitStatements(file.sql);
  const lineAt = lineIndex(file.sql);
  for (const [i, chunk] of chunks.entries()) {
    const line = file.lineMap[lineAt(chunk.start) - 1] ?? 1;
    const base = { file: file.file, index: i + 1, line, kind: statementKind(chunk.text), text: oneLine(chunk.text.slice(chunk.start - chunk.offset)) };
    const started = performance.now();
    current = { file: file.file, line, index: i + 1, count: chunks.length, started };
    try {
      const { rowsChanged } = await db.run(chunk.text, chunk.text.slice(chunk.start - chunk.offset));
      log.push({ ...base, rowsChanged, durationMs: Math.round(performance.now() - started), status: 'ok' });
      if (!file.transaction) progress.committed = log.length;
    } catch (error) {
      const located = locateSqlError(error, file, chunk);
      log.push({ ...base, rowsChanged: 0, durationMs: Math.round(performance.now() - started), status: 'failed', error: located.message });
      throw new StatementFailure(located);
    }
  }
}

/** Keeps the step's transaction: files marked no-transaction run between two transactions. */
function transactions(db: Database, log: StatementResult[], progress: Progress) {
  let open = false;
  return {
    begin: async () => { if (!open) { await db.run('BEGIN TRANSACTION'); open = true; } },
    commit: async () => { if (open) { open = false; await db.run('COMMIT'); progress.committed = log.length; } },
    rollback: async () => { if (open) { open = false; await db.run('ROLLBACK'); } },
  };
}

class GateFailure extends Error {}

/** The assertions gating the step, on its own connection before COMMIT: an error-severity failure throws. */
async function gate(db: Database, job: StepJob, checks: AssertionResult[]): Promise<void> {
  for (const a of job.assertions ?? []) checks.push(await checkAssertion(db, a, job.failuresDir ?? ''));
  const failed = checks.filter(blocks);
  if (failed.length === 0) return;
  const what = failed.map((r) => `${r.name} (${r.file}:${r.line}) ${r.status === 'error' ? 'could not run' : `found ${r.failingRows} offending row${r.failingRows === 1 ? '' : 's'}`}`);
  throw new GateFailure(`assertion${failed.length === 1 ? '' : 's'} gating this step failed: ${what.join('; ')}`);
}

async function runBody(db: Database, job: StepJob, script: StepScript | undefined, log: StatementResult[], clock: Clock, progress: Progress, checks: AssertionResult[]) {
  const tx = transactions(db, log, progress);
  const context: StepContext = {
    db, vars: job.vars, step: job.step, projectRoot: job.projectRoot, batch: job.ledger?.batch,
    log: (message) => process.stdout.write(`${message}\n`),
  };
  try {
    await tx.begin();
    if (job.ledger) await openBatch(db, job.ledger);
    await script?.before?.(context);
    for (const file of job.files) {
      if (file.transaction) await tx.begin();
      else await tx.commit();
      await runFile(db, file, log, progress);
    }
    await tx.begin();
    await script?.after?.(context);
    if (job.ledger) await closeBatch(db, job.ledger, log.reduce((sum, s) => sum + s.rowsChanged, 0));
    await gate(db, job, checks);
    clock.lap('executeMs');
    await tx.commit();
    clock.lap('commitMs');
  } catch (error) {
    await tx.rollback().catch(() => undefined);
    throw error;
  }
}

function openError(error: unknown, job: StepJob): StepError {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  return { message: `cannot open database ${job.database}: ${message}`, hint: hintFor(message) ?? 'check the --db path' };
}

type Phase = 'openMs' | 'executeMs' | 'commitMs' | 'closeMs';

/** Times consecutive phases of the worker. */
class Clock {
  private last = performance.now();
  readonly phases: Record<Phase, number> = { openMs: 0, executeMs: 0, commitMs: 0, closeMs: 0 };
  lap(phase: Phase): void {
    const now = performance.now();
    this.phases[phase] += Math.round((now - this.last) * 10) / 10;
    this.last = now;
    mark(`worker ${phase.replace('Ms', '')} done`);
  }
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const cpuMs = () => { const u = process.cpuUsage(); return Math.round((u.user + u.system) / 1000); };

/** The worker's whole job: open, run, commit or roll back, close; never throws. */
export async function runStep(job: StepJob, start: { bootMs: number; waitMs: number; receivedAt?: number } = { bootMs: 0, waitMs: 0 }): Promise<StepOutcome> {
  const statements: StatementResult[] = [];
  const progress: Progress = { committed: 0 };
  const checks: AssertionResult[] = [];
  const clock = new Clock();
  const stats = (): WorkerStats => ({ bootMs: Math.round(start.bootMs), waitMs: Math.round(start.waitMs), receivedAt: start.receivedAt, ...clock.phases, peakRssMb: peakRssMb(), cpuMs: cpuMs() });
  let db: Database;
  try {
    db = await openDatabase(job.database, { threads: job.threads, memoryLimit: job.memoryLimit, lockTimeoutMs: job.lockTimeoutMs });
    await db.run('SET enable_progress_bar = true'); // progress is tracked (and read over IPC), never printed
    await db.run('SET enable_progress_bar_print = false');
    clock.lap('openMs');
  } catch (error) {
    return { status: 'failed', statements, error: openError(error, job), stats: stats() };
  }
  const ticker = reportProgress(db);
  try {
    const script = job.script ? await loadScript(job.script) : undefined;
    await runBody(db, job, script, statements, clock, progress, checks);
    clearInterval(ticker);
    db.close();
    clock.lap('closeMs');
    return { status: 'ok', statements, stats: stats(), assertions: checks };
  } catch (error) {
    const located =
      error instanceof StatementFailure ? error.located
      : error instanceof GateFailure ? { message: error.message, hint: 'the step was rolled back: fix the data or the step (its offending rows are below and in logs/test_failures/)' }
      : job.script ? scriptError(error, job.scriptSource ?? job.script, job.projectRoot)
      : { message: error instanceof Error ? error.message : String(error) };
    clearInterval(ticker);
    db.close();
    return { status: 'failed', statements, error: located, stats: stats(), committedStatements: progress.committed, assertions: checks };
  }
}
