// Inside the worker: the publish job. Opens the warehouse read-only, reads which batches every incremental
// step has committed (its ledger), and delivers each target with its kind; the first failure stops the
// phase (the targets after it are skipped). An engine may read a target's rows elsewhere (Session.publishSource:
// a local copy of them, made again whenever the kind offers other batches). Never throws.
import { openScratch, openSession } from '../engines/open.js';
import type { PublishSource, Session } from '../engines/engine.js';
import type { JobContext, PublishJob, PublishTargetJob, WorkerMessage } from '../protocol.js';
import type { PublishOutcome } from '../results.js';
import type { BatchRef } from '../publish/kind.js';
import { kindOf, publishKinds } from '../publish/registry.js';
import { sqlString } from '../sql/quote.js';
import { ledgerShape, mine } from './ledger-schema.js';
import { sqlMessage } from './sql-error.js';
import { lockWaits } from './lock-wait.js';

function failure(error: unknown): { message: string; hint?: string } {
  const err = error as Error & { hint?: string };
  const message = (err?.message ?? String(error)).split('\n')[0];
  return { message: /Error: /.test(message) && !err.hint ? sqlMessage(error) : message, hint: err.hint };
}

const blank = (target: PublishTargetJob, status: PublishOutcome['status'], note?: string): PublishOutcome => ({
  destination: target.destination,
  status,
  rows: 0,
  bytes: 0,
  durationMs: 0,
  note,
});

/** Loads what the kinds need for delivery while a publish worker waits for its job. */
export const preloadKinds = () => Promise.all(Object.values(publishKinds).map((k) => k.preload?.()));

/** The batches every one of `steps` has committed (of this pipeline's ledger): the ones a target may be offered. */
async function completeBatches(session: Session, steps: readonly string[], pipeline: string): Promise<BatchRef[]> {
  if (steps.length === 0) return [];
  const shape = await ledgerShape(session);
  if (!shape.tables.has('batches') || !shape.tables.has('step_batches')) return [];
  const { rows } = await session.query(`SELECT b.batch_id, b.run_id FROM ducksteps.batches AS b
    WHERE ${mine(shape, 'batches', pipeline, 'b')} AND (SELECT count(DISTINCT s.step) FROM ducksteps.step_batches AS s WHERE ${mine(shape, 'step_batches', pipeline, 's')} AND s.batch_id = b.batch_id AND s.step IN (${steps.map(sqlString).join(', ')})) = ${steps.length}
    ORDER BY b.batch_id`);
  return rows.map((r) => ({ id: Number(r.batch_id), runId: String(r.run_id) }));
}

/** What {{ pending_batches }} reads: a temporary table of this session (the warehouse stays read-only). */
async function offer(session: Session, ids: readonly number[]): Promise<void> {
  await session.run('CREATE OR REPLACE TEMP TABLE ducksteps_pending_batches (batch_id BIGINT)');
  if (ids.length)
    await session.run(
      `INSERT INTO temp.ducksteps_pending_batches VALUES ${ids.map((id) => `(${Number(id)})`).join(', ')}`,
    );
}

/** Where a kind reads the target's rows: where the engine says (Session.publishSource), else the warehouse. */
function source(
  session: Session,
  scratch: () => Promise<Session>,
  target: PublishTargetJob,
  tmpDir: string,
): PublishSource {
  return (
    session.publishSource?.(target.sql, scratch, tmpDir) ?? {
      session: () => Promise.resolve(session),
      sql: target.sql,
      offer: (ids: readonly number[]) => offer(session, ids),
    }
  );
}

/** Tells the driver a target is done as soon as it is: a worker stopped on a later target (publishTimeout,
 * Ctrl-C) does not take this outcome with it. */
const delivered = (outcomes: PublishOutcome[], outcome: PublishOutcome) => {
  process.send?.({ kind: 'delivered', index: outcomes.length, outcome } satisfies WorkerMessage);
  outcomes.push(outcome);
};

/** Delivers every target, one after another; returns one outcome per target. */
export async function publishTargets(job: PublishJob, context: JobContext): Promise<PublishOutcome[]> {
  let session: Session;
  try {
    session = await openSession(job.connection, { readOnly: true, onLockWait: lockWaits(job.connection).onLockWait });
  } catch (error) {
    // another program holding the warehouse, say: each target fails saying so, nothing crashes
    const { message, hint } = failure(error);
    return job.targets.map((t, i) =>
      i > 0
        ? blank(t, 'skipped')
        : {
            ...blank(t, 'failed'),
            error: {
              message: `publish ${t.destination}: cannot open the warehouse: ${message}`,
              file: t.file,
              hint: hint ?? 'nothing was published; run again when the warehouse is free (./run.sh --resume publishes)',
            },
          },
    );
  }
  let local: Session | undefined;
  const scratch = async () => (local ??= await openScratch());
  const outcomes: PublishOutcome[] = [];
  try {
    const complete = await completeBatches(session.ledger ?? session, job.batchSteps, job.connection.pipeline); // where the ledger lives
    for (const target of job.targets) {
      const kind = kindOf(target.kind);
      const skip = kind.skip?.(target);
      if (outcomes.some((o) => o.status === 'failed')) delivered(outcomes, blank(target, 'skipped'));
      else if (skip) delivered(outcomes, blank(target, 'skipped', skip));
      else {
        const started = performance.now();
        const durationMs = () => Math.round(performance.now() - started);
        try {
          const from = source(session, scratch, target, context.tmpDir);
          await from.offer(job.runBatches);
          const done = await kind.deliver({
            session: await from.session(),
            target,
            sql: from.sql,
            projectRoot: context.projectRoot,
            tmpDir: context.tmpDir,
            runId: job.runId,
            pipeline: job.connection.pipeline,
            batches: { complete, thisRun: job.runBatches },
            offer: from.offer,
            timeoutMs: job.timeoutMs,
          });
          delivered(outcomes, { destination: target.destination, status: 'ok', ...done, durationMs: durationMs() });
        } catch (error) {
          const { message, hint } = failure(error);
          delivered(outcomes, {
            ...blank(target, 'failed'),
            durationMs: durationMs(),
            error: {
              message: `publish ${target.destination}: ${message}`,
              file: target.file,
              hint: hint ?? 'nothing was published to this target; it is as it was',
            },
          });
        }
      }
    }
    return outcomes;
  } finally {
    local?.close();
    session.close();
  }
}
