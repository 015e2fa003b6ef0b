// The unit-tests stage (docs/unit-tests.md): before a run's steps (only those of the steps it runs), or alone
// for `./run.sh test --unit`. Renders each test in the driver, runs them all in one worker job (each on its own
// in-memory DuckDB: the warehouse is never opened); the results go out as events (the CSV logs write each
// failure's whole diff to logs/unit_failures/, each result to logs/tests.csv and a row to logs/run_log.csv).
import { join } from 'node:path';
import { logsOf } from '../../warehouse.js';
import { checkLogs } from '../../logs/step-logs.js';
import { logSubscriber } from '../../logs/subscriber.js';
import { unitFailureFile } from '../../logs/unit-failures.js';
import type { Project, Settings, Step } from '../../model.js';
import { WorkerPool } from '../../processes/pool.js';
import { discoverUnitTests } from '../../unit-tests/discover.js';
import type { UnitTestCase } from '../../protocol.js';
import type { UnitTest, UnitTestResult, UnitTestsReport } from '../../unit-tests.js';
import type { BuildEvents } from '../../results.js';
import type { StageRunner } from './table.js';
import { compileStepScripts } from '../../project/step-scripts.js';
import { recordUnitPasses, reusableUnits } from '../../reuse/units.js';
import { unitCase, type UnitContext } from '../../unit-tests/case.js';
import { projectDefinitions, referToUnrendered } from '../../unit-tests/definitions.js';

export interface UnitRun {
  readonly project: Project;
  readonly settings: Settings;
  readonly pool: WorkerPool;
  readonly scripts: ReadonlyMap<string, string>;
  readonly runId: string;
  readonly signal?: AbortSignal;
  readonly events: BuildEvents;
  readonly reuse?: boolean; // a run: tests whose inputs are those of a pass are not run again (reuse.ts)
  readonly ahead?: () => void; // once the tests' worker is taken: warm the workers of the stages after
}

/** Runs the cases not reused in one worker job; a worker that died or was stopped errs each of them. */
async function runCases(
  u: UnitRun,
  cases: readonly UnitTestCase[],
): Promise<{ results: readonly UnitTestResult[]; interrupted: boolean }> {
  if (cases.length === 0) {
    u.ahead?.();
    return { results: [], interrupted: false };
  }
  const worker = await u.pool.take();
  u.ahead?.();
  const answer = await u.pool.run({ kind: 'unit', tests: cases }, { signal: u.signal }, worker);
  if ('result' in answer) return { results: answer.result, interrupted: false };
  return {
    results: cases.map(({ test }): UnitTestResult => ({
      name: test.name,
      step: test.step,
      file: test.file,
      line: test.line,
      status: 'error',
      durationMs: 0,
      diffs: [],
      error: answer.died,
    })),
    interrupted: answer.stopped === 'interrupt',
  };
}

/** Renders and runs the tests on the pool; writes failures and logs. Never throws for a failing test. */
export async function runUnitTests(u: UnitRun, tests: readonly UnitTest[]): Promise<UnitTestsReport> {
  const startedAt = new Date();
  u.events.onUnitTestsStart?.(tests.length);
  const { ddl, unrendered } = projectDefinitions(u.project, u.settings);
  const context: UnitContext = { project: u.project, settings: u.settings, scripts: u.scripts, ddl, runId: u.runId };
  const cases = tests.map((t) => {
    const c = unitCase(context, t);
    return c.job ? c : { ...c, test: referToUnrendered(c.test, unrendered) };
  });
  const reused = reusableUnits(u.project.root, cases, u.reuse && !u.settings.recheck);
  const ran = await runCases(
    u,
    cases.filter((c) => !reused.has(c)),
  );
  let next = 0;
  const all = cases.map(({ test }, i): UnitTestResult =>
    reused.has(cases[i])
      ? {
          name: test.name,
          step: test.step,
          file: test.file,
          line: test.line,
          status: 'pass',
          durationMs: 0,
          diffs: [],
          reused: reused.get(cases[i]),
        }
      : ran.results[next++],
  );
  const results = all.map((r) => (r.status === 'pass' ? r : { ...r, failuresFile: unitFailureFile(r) }));
  const status = ran.interrupted ? 'interrupted' : results.every((r) => r.status === 'pass') ? 'ok' : 'failed';
  const durationMs = Date.now() - startedAt.getTime();
  if (!ran.interrupted) recordUnitPasses(u.project.root, u.runId, cases, results);
  const report: UnitTestsReport = { status, durationMs, results, unrendered };
  u.events.onUnitTestsEnd?.(report);
  return report;
}

/** Before the steps: the unit tests of the steps this run runs; a failure stops the run. */
export const unitTestsStage: StageRunner<'unit tests'> = {
  async run(run, stage, { progress, ahead }) {
    progress.unit = await runUnitTests({ ...run, reuse: true, ahead: () => ahead() }, stage.tests);
  },
  skip: () => undefined, // the first stage: nothing runs before it
};

/** `./run.sh test --unit`: the unit tests of `steps` (default: all) on a pool of its own; no run lock (the
 * warehouse is never opened). */
export async function testUnits(
  project: Project,
  settings: Settings,
  runId: string,
  steps?: readonly Step[],
  signal?: AbortSignal,
): Promise<UnitTestsReport> {
  const wanted = steps && new Set(steps.map((s) => s.id));
  const tests = discoverUnitTests(project).filter((t) => !wanted || wanted.has(t.step));
  if (tests.length === 0) return { status: 'ok', durationMs: 0, results: [] };
  checkLogs(logsOf(project.root, settings));
  const pool = new WorkerPool(project.root);
  try {
    const events = logSubscriber(logsOf(project.root, settings), runId, project.root);
    const scripts = await compileStepScripts(project);
    return await runUnitTests({ project, settings, pool, scripts, runId, signal, events }, tests);
  } finally {
    pool.close();
  }
}
