// The step loop: render -> execute -> log, one step at a time, the next worker started early;
// a failure, time-out or Ctrl-C stops the loop and the rest is `skipped`.
import { join, resolve } from 'node:path';
import type nunjucks from 'nunjucks';
import { TemplateError } from '../errors.js';
import { executeStep, type Worker } from './spawn.js';
import { WarmWorker } from './warm-worker.js';
import { logStep } from '../logs/step-logs.js';
import { renderStep } from '../render/render.js';
import { maskOutcome } from '../render/secrets.js';
import type { TemplateContext } from '../render/template.js';
import type { Project, Settings, Step, StepOutcome, StepReport } from '../types.js';

export interface StepEvents {
  onStepStart?(step: Step): void;
  onStepEnd?(report: StepReport): void;
  onHeartbeat?(step: Step, elapsedMs: number): void;
  onOutput?(step: Step, line: string): void;
}

export interface StepLoop {
  readonly project: Project;
  readonly settings: Settings;
  readonly env: nunjucks.Environment;
  readonly context: TemplateContext;
  readonly tmp: string;
  readonly signal: AbortSignal;
  readonly events?: StepEvents;
  readonly heartbeatMs?: number;
}

async function runOne(loop: StepLoop, step: Step, worker: Worker): Promise<StepOutcome> {
  const { project, settings, events } = loop;
  let files;
  try {
    files = renderStep(loop.env, project.root, step.files, { ...loop.context, step: { number: step.number, name: step.name } }, `logs/compiled/${step.id}`);
  } catch (error) {
    worker.cancel();
    if (!(error instanceof TemplateError)) throw error;
    return { status: 'failed', statements: [], error: error.toStepError() };
  }
  const job = {
    kind: 'step' as const, database: resolve(project.root, settings.database), threads: settings.threads, memoryLimit: settings.memoryLimit,
    lockTimeoutMs: settings.lockTimeoutMs, step: { number: step.number, name: step.name, id: step.id }, vars: settings.vars, files,
    script: step.script ? join(project.root, step.script) : undefined, projectRoot: project.root, resultPath: join(loop.tmp, `${step.id}.json`),
  };
  return executeStep(job, {
    timeoutMs: settings.stepTimeoutMs, signal: loop.signal, heartbeatMs: loop.heartbeatMs,
    onHeartbeat: events?.onHeartbeat && ((ms) => events.onHeartbeat!(step, ms)),
    onOutput: events?.onOutput && ((line) => events.onOutput!(step, line)),
  }, worker);
}

function report(step: Step, outcome: StepOutcome, handedOver: Date): StepReport {
  const finishedAt = new Date();
  // a worker started just now (first step, or after a script step) boots on the step's clock: count
  // from the moment it had the job, so `logs` compares the step's work, not process start-up
  const startedAt = new Date(Math.max(handedOver.getTime(), Math.min(outcome.stats?.receivedAt ?? 0, finishedAt.getTime())));
  const committed = outcome.status === 'ok' ? outcome.statements : outcome.statements.slice(0, outcome.committedStatements ?? 0);
  return {
    step, status: outcome.status, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(), statements: outcome.statements, error: outcome.error, stats: outcome.stats,
    rowsChanged: committed.reduce((sum, s) => sum + s.rowsChanged, 0),
    committedFiles: outcome.status === 'ok' ? [] : [...new Set(committed.map((s) => s.file))],
  };
}

/** Runs the steps in order and logs each; returns the reports and the worker pre-started for what follows. */
export async function runSteps(loop: StepLoop, steps: readonly Step[], runId: string, warmAfter = false) {
  const logsDir = join(loop.project.root, 'logs');
  const warm = new WarmWorker(loop.project.root);
  const reports: StepReport[] = [];
  try {
    if (steps.length > 0) warm.warm(Boolean(steps[0].script));
    for (const [i, step] of steps.entries()) {
      if (reports.some((r) => r.status !== 'ok')) {
        reports.push({ step, status: 'skipped', durationMs: 0, statements: [], rowsChanged: 0 });
      } else {
        loop.events?.onStepStart?.(step);
        const worker = warm.take(Boolean(step.script));
        if (i + 1 < steps.length || warmAfter) warm.warm(Boolean(steps[i + 1]?.script)); // overlaps this step
        const startedAt = new Date();
        reports.push(report(step, maskOutcome(await runOne(loop, step, worker)), startedAt));
        loop.events?.onStepEnd?.(reports[i]);
        if (reports[i].status !== 'ok') warm.cancel();
      }
      logStep(logsDir, runId, reports[i]);
    }
  } catch (error) {
    warm.cancel();
    throw error;
  }
  const ok = reports.every((r) => r.status === 'ok');
  if (!ok) warm.cancel();
  return { reports, ok, next: warm.release() };
}
