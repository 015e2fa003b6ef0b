// Opening a run: everything a build needs before its plan — the project and its publish targets, the run's id
// and logs, the run lock, the worker pool, the templates, the compiled step scripts, the warehouse made ready,
// and the plan's inputs (rendered assertions, lineage, unit tests). Nothing here decides what runs.
import { join, resolve } from 'node:path';
import { traitsOf } from '../engines/traits.js';
import { crashMessage } from '../errors.js';
import type { Lock } from '../locks/run-lock.js';
import { lockWarehouse } from '../locks/warehouse-lock.js';
import { newRunId, resumeOf } from '../logs/history.js';
import { checkLogs } from '../logs/step-logs.js';
import { logSubscriber } from '../logs/subscriber.js';
import { checkFreshness, freshnessOf } from '../incremental/freshness.js';
import { artifactsSubscriber } from '../observe/artifacts/subscriber.js';
import { logsOf, maskPassword } from '../warehouse.js';
import { lineageEvents } from './openlineage.js';
import type { Project, Settings, Step } from '../model.js';
import { flowOf, type PlanInput } from '../plan/plan.js';
import { removeDeadTemporaries } from '../processes/leftovers.js';
import { WorkerPool } from '../processes/pool.js';
import type { Fence } from '../protocol.js';
import { checkDatabasePath } from '../project/config.js';
import { discover } from '../project/discover.js';
import { compileStepScripts } from '../project/step-scripts.js';
import { discoverTargets } from '../publish/targets.js';
import { retarget } from '../publish/retarget.js';
import { withheldBySettings } from '../project/publish-choice.js';
import { tableReaders } from '../render/readers.js';
import { createEnvironment, templateContext } from '../render/template.js';
import type { BuildEvents, TableColumns } from '../results.js';
import { columnLineageOf } from '../lineage/columns.js';
import { mark } from '../trace.js';
import type { RunContext } from './context.js';
import { fanOut } from './events.js';
import { deferredReads } from './deferred.js';
import { checksumsIfRender } from '../observe/state/checksums.js';
import { stateSubscriber } from '../observe/state/store.js';
import { lineageIfRenders, planInputs } from './plan-inputs.js';
import { jobsFor, prepareWarehouse } from './prepare-warehouse.js';
import { RunState } from '../state/run-state.js';

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
  /** Why this run delivers nothing (--no-publish, a partial run, a target that never publishes), if so. */
  readonly withhold?: string;
}

/** An opened run: what its stages share, what its plan is made of, and how to close it. */
export interface OpenedRun {
  readonly run: RunContext;
  readonly planInput: PlanInput;
  /** The column lineage, when the lineage is known (for the artifacts and OpenLineage). */
  readonly columns?: ReadonlyMap<string, TableColumns>;
  /** Stops the workers warmed for stages that did not run and releases the run's own lock. */
  close(): void;
  /** Resolves once the run's OpenLineage events are delivered (or kept in a file). */
  flushed(): Promise<void>;
}

/** The fences already written into their lake (a lock watch keeps across builds is taken over once). */
const fenced = new WeakSet<Fence>();

/** Opens a run; throws only for discovery and configuration errors (the lock and pool are released then). */
export async function openRun(options: BuildOptions): Promise<OpenedRun> {
  const project = options.project ?? discover(options.root, options.settings.engine);
  const { settings } = options;
  checkDatabasePath(project.root, settings.database, !settings.databaseFromFlag);
  const declared = discoverTargets(project.root); // a bad publish header stops the build before anything runs
  const withhold = options.withhold ?? withheldBySettings(settings);
  const destined = retarget(declared, settings.publishTo || undefined);
  const targets = withhold ? [] : destined;
  removeDeadTemporaries(destined.filter((t) => t.kind === 'file').map((t) => resolve(project.root, t.destination))); // a killed run's half-written files
  const runId = newRunId();
  const logs = logsOf(project.root, settings);
  checkLogs(logs);
  const command = maskPassword(['./run.sh', ...process.argv.slice(2)].join(' '));
  const lineage = lineageEvents(project, settings, runId, (line) => events.onWarning?.(line));
  const checksums = checksumsIfRender(project, settings); // what this run builds from, before it starts
  const events: BuildEvents = fanOut(
    logSubscriber(logs, runId, project.root),
    stateSubscriber(logs, runId, () => checksums),
    artifactsSubscriber(logs, runId, command),
    lineage,
    options.events,
  );
  const lock = options.lock ?? (await lockWarehouse(project, settings, runId, events.onNotice));
  if (!options.lock && lock.stale) {
    events.onStaleRun?.(lock.stale.runId, lock.stale.pid, lock.takeover !== undefined);
    if (lock.takeover) events.onNotice?.(lock.takeover);
  }
  const pool = new WorkerPool(project.root, undefined, events.onWaiting);
  const close = () => {
    pool.close();
    if (!options.lock) lock.release(); // a caller's lock (watch) is the caller's to release
  };
  try {
    const steps = options.steps ?? project.steps;
    const resume = steps.length > 0 || options.publish;
    events.onRunStart?.(resume ? resumeOf(project, settings, runId, steps) : undefined);
    const freshness = await freshnessOf(project.root, settings);
    events.onFreshness?.(freshness);
    if (steps.length > 0) checkFreshness(freshness, settings.ignoreFreshness).forEach((w) => events.onWarning?.(w));
    mark('build: locked');
    const scripts = await compileStepScripts(project);
    mark('build: scripts compiled');
    // a lake's lock fences out a run it took over from; once per lock (watch keeps one); `test` commits nothing
    const fence = lock.fence && steps.length > 0 && !fenced.has(lock.fence) ? lock.fence : undefined;
    if (('fresh' in lock && lock.fresh) || traitsOf(settings.engine).preparesEveryRun || fence)
      await prepareWarehouse(pool, project, settings, fence);
    if (fence) fenced.add(fence);
    const jobs = jobsFor(project, settings, events);
    const context = templateContext(settings, runId, new Date().toISOString());
    const env = createEnvironment(project.root, context);
    const { testSteps, publish } = options;
    const request = { project, settings, context, env, steps, testSteps, targets, keepCompiled: true, publish };
    const planInput = await planInputs(request);
    const columns =
      planInput.lineage &&
      (await columnLineageOf(project, settings, planInput.lineage, context).catch(() => undefined));
    mark('build: planned');
    const flowLater = async () => {
      const lineage = await lineageIfRenders(project, settings, context).catch(() => undefined);
      return lineage && flowOf(project, lineage, planInput.assertions);
    };
    const signal = options.signal ?? new AbortController().signal;
    const { heartbeatMs } = options;
    const readers = planInput.lineage && tableReaders(project, env, context, planInput.lineage, declared);
    const deferred = deferredReads(settings, steps, planInput.lineage);
    const state = new RunState({
      root: project.root,
      settings,
      pool,
      signal,
      runId,
      lineage: planInput.lineage,
      scripts,
    });
    const run = {
      ...{ project, settings, env, context, pool, signal, runId, scripts, events, heartbeatMs, jobs },
      ...{ flowLater, readers, deferred, fence: lock.fence, state },
    };
    return { run, planInput, columns, close, flushed: () => lineage?.flushed() ?? Promise.resolve() };
  } catch (error) {
    events.onRunError?.(crashMessage(error));
    close();
    throw error;
  }
}
