// The publish stage: after every step and every error assertion passed, render publish/*.sql and deliver
// the targets not up to date in one worker (the warehouse read-only), each with publishTimeout and the run's
// stop signal like a step: a target that takes too long, or a Ctrl-C / SIGTERM, kills the worker and
// PostgreSQL rolls that delivery back. A failed target fails the run; the ones after it wait — except with
// --jobs N, where up to N targets (independent of each other, a worker each, reading the warehouse read-only)
// are delivered at once, on any warehouse.
import type nunjucks from 'nunjucks';
import pMap from 'p-map';
import { TemplateError } from '../../errors.js';
import type { PublishTarget } from '../../model.js';
import type { WorkerAnswer } from '../../processes/worker-process.js';
import { DEFAULT_PUBLISH_TIMEOUT_MS } from '../../project/config.js';
import type { PublishJob, PublishTargetJob } from '../../protocol.js';
import { pendingBatchesFor } from '../../publish/kind.js';
import { kindOf } from '../../publish/registry.js';
import type { PublishOutcome, StepReport } from '../../results.js';
import { renderFile } from '../../render/render.js';
import { maskPublish } from '../../render/secrets.js';
import type { TemplateContext } from '../../render/template.js';
import { splitStatements } from '../../sql/split.js';
import { mark } from '../../trace.js';
import { connectionOf, type RunContext } from '../context.js';
import { deliveryKeys, keepDelivered, upToDate, UP_TO_DATE } from './publish-skip.js';
import type { StageRunner } from './table.js';

/** Time a worker gets past publishTimeout before it is killed: PostgreSQL's own lock and statement timeouts
 * (set to publishTimeout) fire first and explain themselves better. */
const GRACE_MS = 5_000;

/** The batches this run committed. */
const batchesOf = (reports: readonly StepReport[]) => [
  ...new Set(reports.filter((r) => r.status === 'ok' && r.batch).map((r) => r.batch!.id)),
];

function render(
  env: nunjucks.Environment,
  root: string,
  context: TemplateContext,
  target: PublishTarget,
): PublishTargetJob {
  const file = renderFile(env, root, target.file, context, 'logs/compiled/publish');
  const statements = splitStatements(file.sql);
  if (statements.length !== 1)
    throw new TemplateError(`a publish file holds one query, this one has ${statements.length} statements`, {
      file: target.file,
      hint: 'keep one SELECT per file in publish/',
    });
  return { ...target, sql: statements[0].text.trim() };
}

const outcome = (
  target: PublishTarget,
  status: PublishOutcome['status'],
  extra: Partial<PublishOutcome> = {},
): PublishOutcome => ({ destination: target.destination, status, rows: 0, bytes: 0, durationMs: 0, ...extra });

/** What a target's outcome is when its worker timed out, was stopped or died while delivering it. */
function stoppedOutcome(
  run: RunContext,
  job: Omit<PublishJob, 'targets'>,
  target: PublishTargetJob,
  answer: Extract<WorkerAnswer<unknown>, { died: unknown }>,
): PublishOutcome {
  const durationMs = answer.elapsedMs;
  const where = { file: target.file };
  if (answer.stopped === 'timeout') {
    return outcome(target, 'failed', {
      durationMs,
      error: {
        ...where,
        message: `publish ${target.destination}: timed out after ${(job.timeoutMs / 1000).toFixed(1)} s (publishTimeout) and was stopped`,
        hint: 'nothing was published to this target (PostgreSQL rolls back the transaction of a connection that closes); raise publishTimeout (--publish-timeout), or find what holds it up',
      },
    });
  }
  if (answer.stopped === 'interrupt' || run.signal.aborted)
    return outcome(target, 'interrupted', {
      durationMs,
      error: { ...where, message: `publish ${target.destination}: interrupted; nothing was published to this target` },
    });
  return outcome(target, 'failed', {
    durationMs,
    error: { ...answer.died, ...where, message: `publish ${target.destination}: ${answer.died.message}` },
  });
}

/** Delivers targets in one worker, one after another (the first failure skips the rest). The worker says
 * each outcome as it has it, and each target gets the whole publishTimeout: a worker stopped on a target (a
 * timeout, Ctrl-C, a crash) keeps the outcomes of the ones before it; the ones after it are `skipped`. */
async function deliverInOne(
  run: RunContext,
  job: Omit<PublishJob, 'targets'>,
  targets: readonly PublishTargetJob[],
): Promise<PublishOutcome[]> {
  const said: PublishOutcome[] = [];
  const answer = await run.pool.run(
    { ...job, targets },
    {
      timeoutMs: job.timeoutMs + GRACE_MS,
      signal: run.signal,
      onDelivered: (index, done) => void (said[index] = done),
    },
  );
  if ('result' in answer) return [...answer.result];
  const at = said.length; // the target the worker was on
  return targets.map((target, i) =>
    i < at ? said[i] : i === at ? stoppedOutcome(run, job, target, answer) : outcome(target, 'skipped'),
  );
}

/** Renders every target, then delivers those not up to date (state/publish.ts); a rendering error is a failed
 * first target. */
async function deliver(
  run: RunContext,
  targets: readonly PublishTarget[],
  reports: readonly StepReport[],
): Promise<PublishOutcome[]> {
  const pending = pendingBatchesFor(run.context.engine);
  const context = { ...run.context, pending_batches: pending, run_batches: pending } as TemplateContext;
  let jobs: PublishTargetJob[];
  try {
    jobs = targets.map((t) => render(run.env, run.project.root, context, t));
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return targets.map((t, i) =>
      outcome(t, i === 0 ? 'failed' : 'skipped', { error: i === 0 ? error.toStepError() : undefined }),
    );
  }
  const job = {
    kind: 'publish',
    connection: connectionOf(run.project, run.settings),
    runId: run.runId,
    runBatches: batchesOf(reports),
    batchSteps: run.project.steps.filter((s) => s.incremental).map((s) => s.id),
    timeoutMs: run.settings.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
  } as const;
  const keys = await deliveryKeys(run, jobs);
  const fresh = await upToDate(run, jobs, keys);
  const skips = jobs.map((target, i) => kindOf(target.kind).skip?.(target) ?? (fresh[i] ? UP_TO_DATE : undefined));
  const outcomes = await deliverAll(run, job, jobs, skips);
  await keepDelivered(run, jobs, keys, outcomes);
  return outcomes;
}

/** Delivers the targets not skipped: all in one worker, or up to --jobs N at once, a worker each. */
async function deliverAll(
  run: RunContext,
  job: Omit<PublishJob, 'targets'>,
  jobs: readonly PublishTargetJob[],
  skips: readonly (string | undefined)[],
): Promise<PublishOutcome[]> {
  const parallel = run.settings.jobs ?? 1;
  if (parallel > 1)
    return pMap(
      jobs,
      async (target, i) =>
        skips[i]
          ? outcome(target, 'skipped', { note: skips[i] })
          : maskPublish((await deliverInOne(run, job, [target]))[0]),
      { concurrency: parallel },
    );
  const sent = jobs.filter((_, i) => !skips[i]);
  if (sent.length) run.pool.ensure(['publish']);
  const delivered = sent.length ? (await deliverInOne(run, job, sent)).map(maskPublish) : [];
  const outcomes: PublishOutcome[] = [];
  for (const [i, target] of jobs.entries()) {
    if (outcomes.some((o) => o.status === 'failed' || o.status === 'interrupted'))
      outcomes.push(outcome(target, 'skipped'));
    else outcomes.push(skips[i] ? outcome(target, 'skipped', { note: skips[i] }) : delivered.shift()!);
  }
  return outcomes;
}

/** After every step and error assertion passed: deliver the targets; a run that failed publishes nothing (each
 * target `skipped`, saying why). */
export const publishStage: StageRunner<'publish'> = {
  async run(run, stage, { progress }) {
    run.events.onPublishStart?.(stage.targets.length);
    progress.publish = await deliver(run, stage.targets, progress.steps);
    run.events.onPublishEnd?.(progress.publish);
    if (progress.publish.some((o) => o.status === 'interrupted')) run.events.onInterrupted?.(String(run.signal.reason));
    mark('build: published');
  },
  skip(run, stage, progress) {
    const note = 'the run failed: consumers keep the previous data';
    progress.publish = stage.targets.map((t) => outcome(t, 'skipped', { note }));
    run.events.onPublishEnd?.(progress.publish);
  },
};
