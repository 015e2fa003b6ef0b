// Wires the stages for one build: discover -> (render -> execute -> log per step) -> assert.
// It throws only for discovery and configuration errors; failures are statuses in the result.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderAssertions, runTests } from './assertion-phase.js';
import { assignGates, type Gates } from './gates.js';
import { lineageOfProject } from './lineage.js';
import { runPublish } from './publish-phase.js';
import type { Purpose, Worker } from './spawn.js';
import { discoverTargets, type PublishTarget } from '../publish/targets.js';
import { DuckstepsError, TemplateError } from '../errors.js';
import { checkDatabasePath } from '../project/config.js';
import { discover } from '../project/discover.js';
import { writeLastRun } from '../logs/history.js';
import { acquireLock, type Lock } from './run-lock.js';
import { checkLogs, logPhase, logPublish } from '../logs/step-logs.js';
import { runSteps, type StepEvents } from './step-loop.js';
import { compileStepScripts } from './step-scripts.js';
import { createEnvironment, type TemplateContext } from '../render/template.js';
import { mark } from '../trace.js';
import type { Assertion, BuildResult, Flow, Project, PublishOutcome, Settings, Step } from '../types.js';

export interface BuildEvents extends StepEvents {
  onTestsStart?(count: number): void;
  onPublishStart?(count: number): void;
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
  /** With no steps (`test`): run only the assertions gating these steps. */
  readonly testSteps?: readonly Step[];
  /** Aborting stops the running step (it rolls back) and ends the build as `interrupted`. */
  readonly signal?: AbortSignal;
  /** A run lock the caller already holds (watch keeps one for all its micro-batches). */
  readonly lock?: Lock;
}

/** Sortable, unique enough: 20261121T061502Z-3f9a. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0')}`;
}

/** An unexpected error ends the run: record it (if the log can still be written) before it propagates. */
function recordCrash(logsDir: string, runId: string, error: unknown): void {
  try {
    const what = error instanceof DuckstepsError ? error.shortMessage : `internal error: ${(error as Error)?.message ?? error}`;
    logPhase(logsDir, runId, 'run', { status: 'failed', error: what });
  } catch {
    // the log itself is what failed; the console still gets the error
  }
}

/** Gates for the steps this run runs (assertions gating other steps wait for those steps); `test` gates
 * none. `flow`: the whole project's lineage and gates, for the report. A run with steps computes it here
 * even when no gate needs it: the first worker is still booting, so it costs no time. */
async function planGates(project: Project, settings: Settings, context: TemplateContext, steps: readonly Step[], assertions: readonly Assertion[], testSteps?: readonly Step[]): Promise<Gates & { flow?: Flow }> {
  const none = { byStep: new Map(), after: assertions };
  if (steps.length === 0 && !testSteps) return none; // `test`: the flow is computed while its worker runs
  const planned = await lineageAndGates(project, settings, context, assertions);
  if (!planned) return none; // the step that does not render fails on its own
  const { gates, flow } = planned;
  if (assertions.length === 0 || settings.gates === false) return { ...none, flow };
  if (steps.length === 0) return { byStep: new Map(), after: testSteps!.flatMap((s) => gates.byStep.get(s.id) ?? []), flow };
  const running = new Set(steps.map((s) => s.id));
  return { byStep: new Map([...gates.byStep].filter(([id]) => running.has(id))), after: gates.after, flow };
}

/** The project's lineage, which assertions gate which step, and both as the report's flow; undefined when
 * a step does not render. */
async function lineageAndGates(project: Project, settings: Settings, context: TemplateContext, assertions: readonly Assertion[]): Promise<{ gates: Gates; flow: Flow } | undefined> {
  try {
    const lineage = await lineageOfProject(project, settings, context);
    const gates = assignGates(project, lineage, assertions);
    return { gates, flow: { lineage, gates: gates.byStep } };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return undefined;
  }
}

/** A run that failed publishes nothing: each target is logged `skipped`, saying why. */
function withheld(logsDir: string, runId: string, targets: readonly PublishTarget[]): PublishOutcome[] | undefined {
  if (targets.length === 0) return undefined;
  const outcomes = targets.map((t): PublishOutcome => ({ destination: t.destination, status: 'skipped', rows: 0, bytes: 0, durationMs: 0, note: 'the run failed: consumers keep the previous data' }));
  outcomes.forEach((o) => logPublish(logsDir, runId, o));
  return outcomes;
}

/** Runs the selected steps, then the assertions when every step succeeded, then the publish targets when
 * every error assertion passed (write-audit-publish: consumers never see data that failed a check). */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const project = options.project ?? discover(options.root);
  const { settings } = options;
  checkDatabasePath(project.root, settings.database);
  const targets = discoverTargets(project.root); // a bad publish header stops the build before anything runs
  const runId = newRunId();
  const database = resolve(project.root, settings.database);
  const logsDir = join(project.root, 'logs');
  checkLogs(logsDir);
  const lock = options.lock ? { stale: undefined, release: () => undefined } : acquireLock(database, runId);
  if (lock.stale) logPhase(logsDir, lock.stale.runId, 'run', { status: 'interrupted', error: `run ${lock.stale.runId} (PID ${lock.stale.pid}) never finished` });
  const tmp = mkdtempSync(join(tmpdir(), 'ducksteps-'));
  const context: TemplateContext = { vars: settings.vars, run_id: runId, run_started_at: new Date().toISOString() };
  const env = createEnvironment(project.root, context);
  const signal = options.signal ?? new AbortController().signal;
  const steps = options.steps ?? project.steps;
  const withTests = options.tests !== false && project.testFiles.length > 0;
  const spare: Worker[] = [];
  try {
    if (steps.length > 0) writeLastRun(project.root, { runId, vars: settings.vars, steps: project.steps.map((s) => s.id), selected: steps.map((s) => s.id), database: settings.database, command: ['./run.sh', ...process.argv.slice(2)].join(' ') });
    mark('build: locked');
    const scripts = await compileStepScripts(project);
    mark('build: scripts compiled');
    const assertions = withTests ? renderAssertions(project, env, context) : [];
    mark('build: assertions rendered');
    const gates = await planGates(project, settings, context, steps, assertions, options.testSteps);
    const { flow } = gates;
    mark('build: gates planned');
    const loop = { project, settings, env, context, tmp, signal, runId, scripts, gates: gates.byStep, events: options.events, heartbeatMs: options.heartbeatMs };
    const publishing = steps.length > 0 && targets.length > 0 && options.tests !== false;
    const after: Purpose[] = [...(gates.after.length > 0 ? ['step' as const] : []), ...(publishing ? ['publish' as const] : [])];
    const { reports, ok, next } = await runSteps(loop, steps, runId, after); // these boot during the last step
    const tester = gates.after.length > 0 ? next.shift() : undefined;
    const publisher = publishing ? next.shift() : undefined;
    spare.push(...[tester, publisher, ...next].filter((w) => w !== undefined)); // stopped in `finally` unless used
    const interrupted = reports.some((r) => r.status === 'interrupted');
    if (interrupted) logPhase(logsDir, runId, 'run', { status: 'interrupted', error: signal.reason === 'SIGTERM' ? 'stopped by SIGTERM' : 'stopped by Ctrl-C (SIGINT)' });
    if (!ok || options.tests === false) {
      if (!ok && options.tests !== false) logPhase(logsDir, runId, 'tests', { status: 'skipped' });
      const tests = ok ? undefined : { status: 'skipped' as const, durationMs: 0, results: [] };
      return { runId, status: interrupted ? 'interrupted' : ok ? 'ok' : 'failed', steps: reports, tests, publish: ok ? undefined : withheld(logsDir, runId, targets), flow };
    }
    mark('build: steps done');
    options.events?.onTestsStart?.(gates.after.length);
    const gated = reports.flatMap((r) => r.assertions ?? []);
    const testing = runTests({ project, settings, env, context, database, tmp, worker: tester }, gates.after, gated); // the job is handed over
    const planned = flow ?? (await lineageAndGates(project, settings, context, assertions).catch(() => undefined))?.flow; // while the worker runs the assertions
    const tests = await testing;
    mark('build: tests done');
    if (tests.status !== 'ok') return { runId, status: 'failed', steps: reports, tests, publish: withheld(logsDir, runId, targets), flow: planned };
    if (steps.length === 0 || targets.length === 0) return { runId, status: 'ok', steps: reports, tests, flow: planned };
    options.events?.onPublishStart?.(targets.length);
    const publish = await runPublish({ root: project.root, settings, env, context, tmp, runId, targets, reports, worker: publisher });
    mark('build: published');
    return { runId, status: publish.some((p) => p.status === 'failed') ? 'failed' : 'ok', steps: reports, tests, publish, flow: planned };
  } catch (error) {
    recordCrash(logsDir, runId, error);
    throw error;
  } finally {
    for (const worker of spare) worker.cancel(); // a worker that ran its job has exited already
    rmSync(tmp, { recursive: true, force: true });
    lock.release();
  }
}
