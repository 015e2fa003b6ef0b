// One build: lock -> plan -> execute -> result. It throws only for discovery and configuration errors;
// failed steps, assertions and targets are statuses in the result (kysely's migrator does the same).
import { join, resolve } from 'node:path';
import { ConfigError, DuckstepsError } from '../errors.js';
import { describeWarehouse, maskPassword, warehouseOf } from '../warehouse.js';
import { writeLastRun } from '../logs/history.js';
import { checkLogs, logPhase } from '../logs/step-logs.js';
import { manyWriters, type Project, type Settings, type Step } from '../model.js';
import { flowOf, plannedAssertions } from '../plan/plan.js';
import { removeDeadTemporaries } from '../processes/leftovers.js';
import { WorkerPool } from '../processes/pool.js';
import { checkDatabasePath } from '../project/config.js';
import { discover } from '../project/discover.js';
import { discoverTargets } from '../publish/targets.js';
import type { BuildEvents, BuildResult } from '../results.js';
import { createEnvironment, templateContext } from '../render/template.js';
import { mark } from '../trace.js';
import { execute } from './execute.js';
import { lineageIfRenders, preparePlan } from './prepare.js';
import type { Lock } from '../locks/run-lock.js';
import { lockWarehouse } from '../locks/warehouse-lock.js';
import { connectionOf, type RunContext } from './context.js';
import { compileStepScripts } from '../project/step-scripts.js';

export type { BuildEvents } from '../results.js';

export interface BuildOptions {
  readonly root: string;
  readonly settings: Settings;
  readonly events?: BuildEvents;
  readonly heartbeatMs?: number;
  /** The project, when the caller already discovered it. */
  readonly project?: Project;
  /** Which steps to run (default: all); [] runs only the assertions. */
  readonly steps?: readonly Step[];
  /** With no steps (`test`): run only the assertions gating these steps. */
  readonly testSteps?: readonly Step[];
  /** Aborting stops the running step (it rolls back) and ends the build as `interrupted`. */
  readonly signal?: AbortSignal;
  /** A run lock the caller already holds (watch keeps one for all its micro-batches). */
  readonly lock?: Lock & { readonly fresh?: boolean };
  /** Publish even with no step to run (--resume of a run whose publish did not finish). */
  readonly publish?: boolean;
}

/** Sortable, unique enough: 20261121T061502Z-3f9a. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0')}`;
}

/** An unexpected error ends the run: record it (if the log can still be written) before it propagates. */
function recordCrash(logsDir: string, runId: string, error: unknown): void {
  try {
    const what =
      error instanceof DuckstepsError ? error.shortMessage : `internal error: ${(error as Error)?.message ?? error}`;
    logPhase(logsDir, runId, 'run', { status: 'failed', error: what });
  } catch {
    // the log itself is what failed; the console still gets the error
  }
}

/** Before any step: a new DuckLake's catalog is created by one worker (attaching a new catalog from several at
 * once races); on Spark every name is set to its last committed version and uncommitted versions dropped. A
 * warehouse that cannot be reached is a configuration error, said once. */
async function prepareWarehouse(pool: WorkerPool, project: Project, settings: Settings): Promise<void> {
  const answer = await pool.run({ kind: 'prepare', connection: connectionOf(project, settings) });
  const error = 'result' in answer ? answer.result.error : answer.died.message;
  if (!error) return;
  const hint =
    settings.engine === 'spark'
      ? 'check that the Spark Connect server runs and DUCKSTEPS_SPARK_URL is right (sc://host:15002); the ledger store (--db) must be writable'
      : 'check the --db ducklake:… string and --data-path; the ducklake (and, for a PostgreSQL catalog, postgres_scanner) extension must be installable or in DUCKSTEPS_EXTENSION_DIR (docs/scale.md)';
  const what =
    settings.engine === 'spark' ? 'cannot prepare the Spark warehouse' : 'cannot create or attach the DuckLake';
  throw new ConfigError(`${what} ${describeWarehouse(warehouseOf(project.root, settings))}: ${maskPassword(error)}`, {
    hint,
  });
}

/** How many stages may run at once: --jobs where the engine takes many writers, else one (saying so). */
function jobsFor(project: Project, settings: Settings, events?: BuildEvents): number {
  const asked = settings.jobs ?? 1;
  const { warehouse } = connectionOf(project, settings);
  if (asked <= 1 || manyWriters(warehouse)) return asked;
  const what =
    warehouse.engine === 'duckdb'
      ? 'a DuckDB file'
      : warehouse.engine === 'spark'
        ? 'Spark with its ledger in a file'
        : 'a DuckLake with its catalog in a file';
  events?.onNotice?.(
    `--jobs ${asked}: ${what} takes one writer at a time, so steps run one after another (a DuckLake with its catalog in PostgreSQL runs independent steps at the same time: docs/scale.md)`,
  );
  return 1;
}

/** Runs the selected steps (each gated by its assertions), then the assertions left, then the publish
 * targets when every error assertion passed (write-audit-publish). */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const project = options.project ?? discover(options.root, options.settings.engine);
  const { settings } = options;
  checkDatabasePath(project.root, settings.database, !settings.databaseFromFlag);
  const targets = discoverTargets(project.root); // a bad publish header stops the build before anything runs
  removeDeadTemporaries(targets.filter((t) => t.kind === 'file').map((t) => resolve(project.root, t.destination))); // a killed run's half-written files
  const runId = newRunId();
  const logsDir = join(project.root, 'logs');
  checkLogs(logsDir);
  const own = options.lock === undefined; // a caller's lock (watch) is the caller's to release
  const lock = options.lock ?? (await lockWarehouse(project, settings, runId));
  if (own && lock.stale)
    logPhase(logsDir, lock.stale.runId, 'run', {
      status: 'interrupted',
      error: `run ${lock.stale.runId} (PID ${lock.stale.pid}) never finished`,
    });
  const pool = new WorkerPool(project.root, undefined, options.events?.onWaiting);
  const context = templateContext(settings, runId, new Date().toISOString());
  const env = createEnvironment(project.root, context);
  const steps = options.steps ?? project.steps;
  try {
    if (steps.length > 0 || options.publish)
      writeLastRun(project.root, {
        runId,
        vars: settings.vars,
        steps: project.steps.map((s) => s.id),
        selected: steps.map((s) => s.id),
        database: maskPassword(settings.database),
        engine: settings.engine,
        command: maskPassword(['./run.sh', ...process.argv.slice(2)].join(' ')),
      });
    mark('build: locked');
    const scripts = await compileStepScripts(project);
    mark('build: scripts compiled');
    if (('fresh' in lock && lock.fresh) || settings.engine === 'spark') await prepareWarehouse(pool, project, settings);
    const plan = await preparePlan({
      project,
      settings,
      context,
      env,
      steps,
      testSteps: options.testSteps,
      targets,
      keepCompiled: true,
      publish: options.publish,
    });
    mark('build: planned');
    const jobs = jobsFor(project, settings, options.events);
    const run: RunContext = {
      project,
      settings,
      env,
      context,
      pool,
      signal: options.signal ?? new AbortController().signal,
      runId,
      scripts,
      events: options.events,
      heartbeatMs: options.heartbeatMs,
      jobs,
    };
    const flowLater = async () => {
      const lineage = await lineageIfRenders(project, settings, context).catch(() => undefined);
      return lineage && flowOf(project, lineage, plannedAssertions(plan));
    };
    return await execute(run, plan, flowLater);
  } catch (error) {
    recordCrash(logsDir, runId, error);
    throw error;
  } finally {
    pool.close(); // stops workers warmed for stages that did not run
    if (own) lock.release();
  }
}
