// The step transaction, in one place: BEGIN; on a lake, the run lock's fence (fence.ts); the batch's ledger
// rows; the script's before(); each file's statements (a file marked no-transaction runs between two
// transactions, each statement committing on its own); the script's after(); the ledger's "this step committed
// this batch" (all of it again for each further batch of a refresh: job.more); the declared tables' schema
// versions and contracts; the gating assertions; COMMIT. Before each statement, a table declared with a column
// list that differs from the warehouse's is migrated or refused (schema-guard.ts). Any failure rolls back what
// is open. It records what it committed, so no caller counts statements.
import { AfterCommitError, type Session } from '../engines/engine.js';
import type { LedgerWrite, StepJob } from '../protocol.js';
import type { RenderedFile } from '../model.js';
import { blocks, type AssertionResult, type SchemaChange, type StatementResult } from '../results.js';
import { checkAssertion, reusesPasses } from './assertions.js';
import { gateScopes, recordPasses } from './batch-scope.js';
import { guardOf, schemaAtCommit } from './schema-step.js';
import { checkFence } from './fence.js';
import { closeBatch, openBatch } from './ledger.js';
import { Tracking } from './state.js';
import { runFile } from './statements.js';
import { deferReads } from './defer.js';
import type { StepScript, StepContext } from './step-script.js';

/** Gating assertions found rows (or could not run): the step is rolled back. */
export class GateFailure extends Error {}

/** What the transaction did: every statement run, the committed ones, the gates' results. */
export class TransactionLog {
  readonly statements: StatementResult[] = [];
  readonly gates: AssertionResult[] = [];
  /** What the step recorded about changes (a job with `state`). */
  tracking?: Tracking;
  schemaChanges: SchemaChange[] = [];
  private committedCount = 0;
  /** Everything logged so far is committed. */
  markCommitted(): void {
    this.committedCount = this.statements.length;
  }
  get committed(): StatementResult[] {
    return this.statements.slice(0, this.committedCount);
  }
}

/** The assertions gating the step, on its own session before COMMIT, each on the batch's rows or the whole
 * table (batch-scope.ts): an error-severity failure throws. */
async function gate(session: Session, job: StepJob, log: TransactionLog): Promise<void> {
  const results = log.gates;
  if ((job.gates ?? []).length === 0) return;
  const check = async () => {
    const whole = job.recheck === true || log.schemaChanges.length > 0; // a migration may change old rows
    for (const { a, scope } of await gateScopes(session, job, log.statements, whole)) {
      const result = await checkAssertion(session, a, job.failuresDir, reusesPasses(job.connection));
      results.push({ ...result, scope });
    }
  };
  await (session.gating ? session.gating(check) : check());
  await recordPasses(session, job, results);
  const failed = results.filter(blocks);
  if (failed.length === 0) return;
  const what = failed.map(
    (r) =>
      `${r.name} (${r.file}:${r.line}) ${r.status === 'error' ? 'could not run' : `found ${r.failingRows} offending row${r.failingRows === 1 ? '' : 's'}`}`,
  );
  throw new GateFailure(`assertion${failed.length === 1 ? '' : 's'} gating this step failed: ${what.join('; ')}`);
}

/** Opens and commits the step's transaction around segments of statements; `opened` runs first in each. */
function segments(session: Session, log: TransactionLog, opened: () => Promise<void>) {
  let open = false;
  return {
    begin: async () => {
      if (!open) {
        await session.begin();
        open = true;
        await opened();
      }
    },
    commit: async () => {
      if (open) {
        open = false;
        await session.commit().catch((error: unknown) => {
          if (error instanceof AfterCommitError) log.markCommitted(); // past the commit point: it stays
          throw error;
        });
      }
      log.markCommitted();
    },
    rollback: async () => {
      if (open) {
        open = false;
        await session.rollback();
      }
    },
  };
}

/** Runs the whole step; on success everything is committed. On failure it rolls back and rethrows, `log`
 * telling what ran and what was committed before (no-transaction files). `onExecuted` marks the end of
 * the step's work before COMMIT (the worker's timings). */
export async function runTransaction(
  session: Session,
  job: StepJob,
  script: StepScript | undefined,
  context: StepContext,
  log: TransactionLog,
  onExecuted: () => void,
): Promise<void> {
  const { fence } = job;
  const { pipeline } = job.connection;
  const tx = segments(session, log, async () => {
    if (fence) await checkFence(session.ledger ?? session, fence, job.step.id); // the run still holds the lock
  });
  const guard = guardOf(session, job);
  const batches: Array<{ files: readonly RenderedFile[]; ledger?: LedgerWrite }> = [job, ...(job.more ?? [])];
  const tracking = (log.tracking = new Tracking(session, job, context.projectRoot));
  let undefer: (() => Promise<void>) | undefined;
  try {
    await tx.begin();
    await tracking.begin();
    for (const { files, ledger } of batches) {
      const from = log.statements.length;
      const ctx = ledger ? { ...context, batch: ledger.batch } : context;
      await tx.begin();
      undefer ??= await deferReads(session, job);
      if (ledger) await openBatch(session.ledger ?? session, ledger, pipeline);
      await script?.before?.(ctx);
      for (const file of files) {
        if (file.transaction) await tx.begin();
        else await tx.commit(); // what ran so far commits; the file's statements then commit one by one
        const onOk = file.transaction ? undefined : () => log.markCommitted();
        await runFile(session, file, log.statements, onOk, guard.before);
      }
      await tx.begin();
      await script?.after?.(ctx);
      const rows = log.statements.slice(from).reduce((sum, s) => sum + s.rowsChanged, 0);
      if (ledger) await closeBatch(session.ledger ?? session, ledger, pipeline, rows);
    }
    log.schemaChanges = await schemaAtCommit(session, job, guard);
    await tracking.finish(log.statements, script, context);
    await gate(session, job, log);
    await undefer?.();
    onExecuted();
    await tx.commit();
  } catch (error) {
    await tx.rollback().catch(() => undefined);
    throw error;
  }
}
