// Inside the worker: the publish job. Opens the warehouse read-only and delivers each target with its
// kind; the first failure stops the phase (the targets after it are skipped). Never throws.
import type { Session } from '../engines/engine.js';
import { openScratch, openSession } from '../engines/open.js';
import { materialize } from '../engines/spark/materialize.js';
import { SparkSession } from '../engines/spark/session.js';
import type { JobContext, PublishJob, PublishTargetJob } from '../protocol.js';
import type { PublishOutcome } from '../results.js';
import { kindOf, publishKinds } from '../publish/registry.js';
import { sqlMessage } from './sql-error.js';

function failure(error: unknown): { message: string; hint?: string } {
  const err = error as Error & { hint?: string };
  const message = (err?.message ?? String(error)).split('\n')[0];
  return { message: /Error: /.test(message) && !err.hint ? sqlMessage(error) : message, hint: err.hint };
}

const blank = (target: PublishTargetJob, status: PublishOutcome['status'], note?: string): PublishOutcome =>
  ({ destination: target.destination, status, rows: 0, bytes: 0, durationMs: 0, note });

/** Loads what the kinds need for delivery while a publish worker waits for its job. */
export const preloadKinds = () => Promise.all(Object.values(publishKinds).map((k) => k.preload?.()));

/** Where a kind reads the target's rows: the warehouse itself, or (Spark) a local DuckDB copy of them. */
async function source(session: Session, scratch: () => Promise<Session>, target: PublishTargetJob, context: JobContext): Promise<{ session: Session; sql: string }> {
  if (!(session instanceof SparkSession)) return { session, sql: target.sql };
  const local = await scratch();
  await materialize(session.spark, target.sql, local, 'publish_rows', context.tmpDir);
  return { session: local, sql: 'SELECT * FROM publish_rows' };
}

/** Delivers every target; returns one outcome per target. */
export async function publishTargets(job: PublishJob, context: JobContext): Promise<PublishOutcome[]> {
  const session = await openSession(job.connection, { readOnly: true });
  let local: Session | undefined;
  const scratch = async () => (local ??= await openScratch());
  const outcomes: PublishOutcome[] = [];
  try {
    for (const target of job.targets) {
      const kind = kindOf(target.kind);
      const skip = kind.skip?.(target);
      if (outcomes.some((o) => o.status === 'failed')) outcomes.push(blank(target, 'skipped'));
      else if (skip) outcomes.push(blank(target, 'skipped', skip));
      else {
        const started = performance.now();
        const durationMs = () => Math.round(performance.now() - started);
        try {
          const done = await kind.deliver({ ...(await source(session, scratch, target, context)), target, projectRoot: context.projectRoot, tmpDir: context.tmpDir });
          outcomes.push({ destination: target.destination, status: 'ok', ...done, durationMs: durationMs() });
        } catch (error) {
          const { message, hint } = failure(error);
          outcomes.push({ ...blank(target, 'failed'), durationMs: durationMs(), error: { message: `publish ${target.destination}: ${message}`, file: target.file, hint: hint ?? 'nothing was published to this target; it is as it was' } });
        }
      }
    }
    return outcomes;
  } finally {
    local?.close();
    session.close();
  }
}
