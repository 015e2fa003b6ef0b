// The publish stage: after every step and every error assertion passed, render publish/*.sql and deliver
// them in a worker (the warehouse read-only). A failed target fails the run; the ones after it wait.
import type nunjucks from 'nunjucks';
import { TemplateError } from '../errors.js';
import { logPublish } from '../logs/step-logs.js';
import type { PublishTarget } from '../model.js';
import type { PublishTargetJob } from '../protocol.js';
import type { PublishOutcome, StepReport } from '../results.js';
import { renderFile } from '../render/render.js';
import type { TemplateContext } from '../render/template.js';
import { splitStatements } from '../sql/split.js';
import { connectionOf, logsDirOf, type RunContext } from './run-context.js';

/** "(3, 4)": the batches this run committed, for `WHERE batch_id IN {{ run_batches }}` in append targets. */
const runBatches = (reports: readonly StepReport[]) => {
  const ids = [...new Set(reports.filter((r) => r.status === 'ok' && r.batch).map((r) => r.batch!.id))];
  return ids.length ? `(${ids.join(', ')})` : '(NULL)';
};

function render(env: nunjucks.Environment, root: string, context: TemplateContext, target: PublishTarget): PublishTargetJob {
  const file = renderFile(env, root, target.file, context, 'logs/compiled/publish');
  const statements = splitStatements(file.sql);
  if (statements.length !== 1) throw new TemplateError(`a publish file holds one query, this one has ${statements.length} statements`, { file: target.file, hint: 'keep one SELECT per file in publish/' });
  return { ...target, sql: statements[0].text.trim() };
}

/** Each target failed (the first, with the error) or skipped (the rest). */
const failedAll = (targets: readonly PublishTarget[], error: PublishOutcome['error']): PublishOutcome[] =>
  targets.map((t, i) => ({ destination: t.destination, status: i === 0 ? 'failed' : 'skipped', rows: 0, bytes: 0, durationMs: 0, error: i === 0 ? error : undefined }));

/** A run that failed publishes nothing: each target is logged `skipped`, saying why. */
export function withholdPublish(run: RunContext, targets: readonly PublishTarget[]): PublishOutcome[] {
  const outcomes = targets.map((t): PublishOutcome => ({ destination: t.destination, status: 'skipped', rows: 0, bytes: 0, durationMs: 0, note: 'the run failed: consumers keep the previous data' }));
  outcomes.forEach((o) => logPublish(logsDirOf(run), run.runId, o));
  return outcomes;
}

/** Renders every target and delivers them in one worker; a rendering error is a failed first target. */
async function deliver(run: RunContext, targets: readonly PublishTarget[], reports: readonly StepReport[]): Promise<PublishOutcome[]> {
  const context = { ...run.context, run_batches: runBatches(reports) } as TemplateContext;
  let jobs: PublishTargetJob[];
  try {
    jobs = targets.map((t) => render(run.env, run.project.root, context, t));
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return failedAll(targets, error.toStepError());
  }
  const answer = await run.pool.run({ kind: 'publish', connection: connectionOf(run.project, run.settings), targets: jobs });
  return 'result' in answer ? [...answer.result] : failedAll(targets, answer.died);
}

/** Delivers every target and logs each outcome. */
export async function runPublishStage(run: RunContext, targets: readonly PublishTarget[], reports: readonly StepReport[]): Promise<PublishOutcome[]> {
  const outcomes = await deliver(run, targets, reports);
  outcomes.forEach((o) => logPublish(logsDirOf(run), run.runId, o));
  return outcomes;
}
