// The publish phase: after every step and every error assertion passed, render publish/*.sql and deliver
// them in a worker (read-only on the database). A failed target fails the run; the ones after it wait.
import { join, resolve } from 'node:path';
import type nunjucks from 'nunjucks';
import { TemplateError } from '../errors.js';
import { logPublish } from '../logs/step-logs.js';
import type { PublishTarget } from '../publish/targets.js';
import { renderFile } from '../render/render.js';
import { splitStatements } from '../render/split.js';
import type { TemplateContext } from '../render/template.js';
import { runWorker, type Worker } from './spawn.js';
import type { PublishJob, PublishOutcome, PublishTargetJob, Settings, StepReport } from '../types.js';

export interface PublishRun {
  readonly root: string;
  readonly settings: Settings;
  readonly env: nunjucks.Environment;
  readonly context: TemplateContext;
  readonly tmp: string;
  readonly runId: string;
  readonly targets: readonly PublishTarget[];
  readonly reports: readonly StepReport[];
  readonly worker?: Worker; // started early, so its boot overlaps the assertions
}

/** "(3, 4)": the batches this run committed, for `WHERE batch_id IN {{ run_batches }}` in append targets. */
const runBatches = (reports: readonly StepReport[]) => {
  const ids = [...new Set(reports.filter((r) => r.status === 'ok' && r.batch).map((r) => r.batch!.id))];
  return ids.length ? `(${ids.join(', ')})` : '(NULL)';
};

function render(run: PublishRun, target: PublishTarget): PublishTargetJob {
  const file = renderFile(run.env, run.root, target.file, { ...run.context, run_batches: runBatches(run.reports) } as TemplateContext, 'logs/compiled/publish');
  const statements = splitStatements(file.sql);
  if (statements.length !== 1) throw new TemplateError(`a publish file holds one query, this one has ${statements.length} statements`, { file: target.file, hint: 'keep one SELECT per file in publish/' });
  return { ...target, sql: statements[0].text.trim() };
}

/** Renders and delivers every target; a rendering error is a failed first target. */
export async function runPublish(run: PublishRun): Promise<PublishOutcome[]> {
  let targets: PublishTargetJob[];
  try {
    targets = run.targets.map((t) => render(run, t));
  } catch (error) {
    run.worker?.cancel();
    if (!(error instanceof TemplateError)) throw error;
    const outcomes = run.targets.map((t, i): PublishOutcome => ({ destination: t.destination, status: i === 0 ? 'failed' : 'skipped', rows: 0, bytes: 0, durationMs: 0, error: i === 0 ? error.toStepError() : undefined }));
    outcomes.forEach((o) => logPublish(join(run.root, 'logs'), run.runId, o));
    return outcomes;
  }
  const { settings } = run;
  const job: PublishJob = {
    kind: 'publish', database: resolve(run.root, settings.database), threads: settings.threads, memoryLimit: settings.memoryLimit, targets,
    tmpDir: run.tmp, projectRoot: run.root, resultPath: join(run.tmp, 'publish.json'), lockTimeoutMs: settings.lockTimeoutMs,
  };
  const answer = run.worker ? await run.worker.run<PublishOutcome[]>(job) : await runWorker<PublishOutcome[]>(job);
  const outcomes = 'result' in answer ? answer.result
    : targets.map((t, i): PublishOutcome => ({ destination: t.destination, status: i === 0 ? 'failed' : 'skipped', rows: 0, bytes: 0, durationMs: 0, error: i === 0 ? answer.died : undefined }));
  outcomes.forEach((o) => logPublish(join(run.root, 'logs'), run.runId, o));
  return outcomes;
}
