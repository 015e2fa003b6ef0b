// Inside the worker: the step job. Open the warehouse, run the step transaction, close; time each phase;
// turn any failure into a located error. Never throws.
import { mark } from '../trace.js';
import { describe, explainFailure, openSession } from '../engines/open.js';
import { AfterCommitError, type Session } from '../engines/engine.js';
import { DuckstepsError } from '../errors.js';
import type { StepError } from '../model.js';
import type { JobContext, StepJob } from '../protocol.js';
import type { StepOutcome, WorkerStats } from '../results.js';
import { FenceLost } from './fence.js';
import { lockWaits, type LockWaits } from './lock-wait.js';
import { hintFor } from './sql-error.js';
import { StatementFailure, reportProgress } from './statements.js';
import { loadScript, scriptError, type StepContext, type StepScript } from './step-script.js';
import { ConflictFailure, retryingConflicts } from './retry.js';
import { GateFailure, TransactionLog, runTransaction } from './transaction.js';

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
const cpuMs = () => {
  const u = process.cpuUsage();
  return Math.round((u.user + u.system) / 1000);
};

function openError(error: unknown, job: StepJob): StepError {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  const explained = explainFailure(job.connection, error);
  return {
    message: `cannot open database ${describe(job.connection)}: ${explained?.message ?? message}`,
    hint: explained?.hint ?? hintFor(message) ?? 'check the --db path',
  };
}

/** A failure located, then said as what happened when the engine knows (a lake's lost catalog connection, its
 * data path): the place (file:line) stays, DuckDB's internal wording goes. */
function failureOf(error: unknown, job: StepJob, projectRoot: string): StepError {
  const failure = located(error, job, projectRoot);
  if (!(error instanceof StatementFailure)) return explainFailure(job.connection, error) ?? failure; // not the script's
  const explained = explainFailure(job.connection, failure.message);
  return explained ? { ...failure, ...explained } : failure;
}

/** A failure of the step, located: a statement, a gate, the script, or something else. */
export function located(error: unknown, job: StepJob, projectRoot: string): StepError {
  if (error instanceof StatementFailure) return error.located;
  if (error instanceof AfterCommitError) return { message: error.message, hint: error.hint, committed: true };
  if (error instanceof DuckstepsError) return error.toStepError(); // a broken contract, at its file:line
  if (error instanceof GateFailure)
    return {
      message: error.message,
      hint: 'the step was rolled back: fix the data or the step (its offending rows are below and in logs/test_failures/)',
    };
  if (error instanceof FenceLost)
    return {
      message: error.message,
      hint: "the run lock's connection to PostgreSQL ended while this run went on (a network break, a failover, idle_session_timeout) and another run started; it carries on from what this run committed: let it finish",
    };
  if (error instanceof ConflictFailure)
    return {
      message: error.message,
      hint: 'another step or pipeline kept changing the same table at the same time: run again, or run fewer steps at once (--jobs)',
    };
  if (job.script) return scriptError(error, job.scriptSource ?? job.script, projectRoot);
  return { message: error instanceof Error ? error.message : String(error) };
}

/** Opens the session with progress tracked (read over IPC, never printed). */
async function open(job: StepJob, waits: LockWaits): Promise<Session> {
  const session = await openSession(job.connection, { onLockWait: waits.onLockWait });
  await session.run('SET enable_progress_bar = true');
  await session.run('SET enable_progress_bar_print = false');
  return session;
}

/** Runs the step transaction, again after a commit conflict (retry.ts). */
async function runWithRetries(
  session: Session,
  job: StepJob,
  context: StepContext,
  clock: Clock,
): Promise<{ log: TransactionLog; retries: number; error?: unknown }> {
  const script = job.script ? await loadScript(job.script).catch((error: unknown) => error) : undefined;
  if (script instanceof Error) return { log: new TransactionLog(), retries: 0, error: script };
  return retryingConflicts(session, (log) =>
    runTransaction(session, job, script as StepScript | undefined, context, log, () => clock.lap('executeMs')),
  );
}

/** The worker's whole step job: open, run, commit or roll back, close; never throws. */
export async function runStep(job: StepJob, context: JobContext): Promise<StepOutcome> {
  const clock = new Clock();
  const waits = lockWaits(job.connection);
  const stats = (): WorkerStats => ({
    bootMs: Math.round(context.bootMs),
    waitMs: Math.round(context.waitMs),
    receivedAt: context.receivedAt,
    lockWaitMs: waits.waitedMs(),
    ...clock.phases,
    peakRssMb: peakRssMb(),
    cpuMs: cpuMs(),
  });
  let session: Session;
  try {
    session = await open(job, waits);
    clock.lap('openMs');
  } catch (error) {
    return { status: 'failed', statements: [], committed: [], error: openError(error, job), stats: stats() };
  }
  const ticker = reportProgress(session);
  const scriptContext: StepContext = {
    db: session as StepContext['db'],
    vars: job.vars,
    step: job.step,
    projectRoot: context.projectRoot,
    batch: job.ledger?.batch,
    log: (message) => process.stdout.write(`${message}\n`),
  };
  const { log, retries, error } = await runWithRetries(session, job, scriptContext, clock);
  const failure = error === undefined ? undefined : failureOf(error, job, context.projectRoot);
  if (!failure) clock.lap('commitMs');
  clearInterval(ticker);
  session.close();
  if (!failure) clock.lap('closeMs'); // DuckDB checkpoints at close: part of a committed step's time
  const outcome = {
    statements: log.statements,
    committed: log.committed,
    stats: stats(),
    assertions: log.gates,
    retries: retries || undefined,
    schemaChanges: !failure && log.schemaChanges.length ? log.schemaChanges : undefined, // rolled back with a failure
  };
  return failure ? { status: 'failed', error: failure, ...outcome } : { status: 'ok', ...outcome };
}
