// Wires the stages for one build: discover -> render -> execute -> log, step by step, stopping at a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type nunjucks from 'nunjucks';
import { runTests } from './assert.js';
import { checkDatabasePath } from './config.js';
import { discover } from './discover.js';
import { TemplateError } from './errors.js';
import { executeStep, startWorker, type Worker } from './execute.js';
import { writeLastRun } from './history.js';
import { acquireLock } from './lock.js';
import { logPhase, logStep } from './logs.js';
import { renderStep } from './render.js';
import { createEnvironment, type TemplateContext } from './template.js';
import type { BuildResult, Project, Settings, Step, StepOutcome, StepReport } from './types.js';

export interface BuildEvents {
  onTestsStart?(count: number): void;
  onStepStart?(step: Step): void;
  onStepEnd?(report: StepReport): void;
  onHeartbeat?(step: Step, elapsedMs: number): void;
  onOutput?(step: Step, line: string): void;
}

export interface BuildOptions {
  readonly root: string;
  readonly settings: Settings;
  readonly events?: BuildEvents;
  readonly heartbeatMs?: number;
  /** The project, when the caller already discovered it. */
  readonly project?: Project;
  /** Which steps to run (default: all); [] runs only the assertions. */
  readonly steps?: readonly Step[];
  /** Run the assertions after the steps (default true). */
  readonly tests?: boolean;
}

/** Sortable, unique enough: 20261121T061502Z-3f9a. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')}`;
}

interface RunContext {
  readonly project: Project;
  readonly settings: Settings;
  readonly env: nunjucks.Environment;
  readonly base: TemplateContext;
  readonly tmp: string;
  readonly options: BuildOptions;
}

async function runOne(ctx: RunContext, step: Step, worker: Worker): Promise<StepOutcome> {
  const { project, settings } = ctx;
  let files;
  try {
    files = renderStep(ctx.env, project.root, step.files, { ...ctx.base, step: { number: step.number, name: step.name } }, `logs/compiled/${step.id}`);
  } catch (error) {
    worker.cancel();
    if (!(error instanceof TemplateError)) throw error;
    return { status: 'failed', statements: [], error: { message: error.shortMessage, file: error.file, line: error.line, hint: error.hint } };
  }
  const events = ctx.options.events;
  return executeStep(
    {
      kind: 'step', database: resolve(project.root, settings.database), threads: settings.threads, memoryLimit: settings.memoryLimit,
      step: { number: step.number, name: step.name, id: step.id }, vars: settings.vars, files,
      script: step.script ? join(project.root, step.script) : undefined, projectRoot: project.root,
      resultPath: join(ctx.tmp, `${step.id}.json`),
    },
    {
      heartbeatMs: ctx.options.heartbeatMs,
      onHeartbeat: events?.onHeartbeat && ((ms) => events.onHeartbeat!(step, ms)),
      onOutput: events?.onOutput && ((line) => events.onOutput!(step, line)),
    },
    worker,
  );
}

/** Runs the given steps in order; a failure marks the rest skipped. Throws only for discovery/config errors. */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const project = options.project ?? discover(options.root);
  const settings = options.settings;
  checkDatabasePath(project.root, settings.database);
  const runId = newRunId();
  const lock = acquireLock(resolve(project.root, settings.database), runId);
  const logsDir = join(project.root, 'logs');
  if (lock.stale) logPhase(logsDir, lock.stale.runId, 'run', { status: 'interrupted', error: `run ${lock.stale.runId} (PID ${lock.stale.pid}) never finished` });
  const tmp = mkdtempSync(join(tmpdir(), 'ducksteps-'));
  const base: TemplateContext = { vars: settings.vars, run_id: runId, run_started_at: new Date().toISOString() };
  const ctx: RunContext = { project, settings, env: createEnvironment(project.root, base), tmp, options, base };
  const reports: StepReport[] = [];
  try {
    let failed = false;
    const steps = options.steps ?? project.steps;
    const runTestsAfter = options.tests !== false;
    // The worker for the next job starts while the current step runs: its Node and DuckDB start-up overlap.
    const nextWorker = (i: number) =>
      i < steps.length ? startWorker(Boolean(steps[i].script), project.root)
      : runTestsAfter && project.testFiles.length > 0 ? startWorker(false, project.root) : undefined;
    let next = nextWorker(0);
    if (steps.length > 0) {
      writeLastRun(project.root, { runId, vars: settings.vars, steps: project.steps.map((s) => s.id), selected: steps.map((s) => s.id) });
    }
    for (const [i, step] of steps.entries()) {
      if (failed) {
        reports.push({ step, status: 'skipped', durationMs: 0, statements: [], rowsChanged: 0 });
        logStep(logsDir, runId, reports[reports.length - 1]);
        continue;
      }
      options.events?.onStepStart?.(step);
      const startedAt = new Date();
      const worker = next!;
      next = nextWorker(i + 1);
      const outcome = await runOne(ctx, step, worker);
      const finishedAt = new Date();
      const report: StepReport = {
        step, status: outcome.status, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(),
        durationMs: finishedAt.getTime() - startedAt.getTime(), statements: outcome.statements,
        rowsChanged: outcome.status === 'ok' ? outcome.statements.reduce((sum, s) => sum + s.rowsChanged, 0) : 0, error: outcome.error,
        stats: outcome.stats,
      };
      reports.push(report);
      logStep(logsDir, runId, report);
      options.events?.onStepEnd?.(report);
      failed = outcome.status !== 'ok';
      if (failed) next?.cancel();
    }
    if (!runTestsAfter) return { runId, status: failed ? 'failed' : 'ok', steps: reports };
    if (failed) {
      logPhase(logsDir, runId, 'tests', { status: 'skipped' });
      return { runId, status: 'failed', steps: reports, tests: { status: 'skipped', durationMs: 0, results: [] } };
    }
    options.events?.onTestsStart?.(project.testFiles.length);
    const tests = await runTests({ project, settings, env: ctx.env, context: base, database: resolve(project.root, settings.database), tmp, worker: next });
    return { runId, status: tests.status === 'ok' ? 'ok' : 'failed', steps: reports, tests };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    lock.release();
  }
}
