// The assertions stage: the assertions that gated no running step (and the gates of steps that did not run),
// read-only in one worker after the steps. An answer known for the same, unchanged warehouse is not run again.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Assertion } from '../../model.js';
import type { AssertionResult, TestsReport } from '../../results.js';
import { maskTests } from '../../render/secrets.js';
import { logsOf, warehouseOf } from '../../warehouse.js';
import { gatesNotRun } from '../../plan/plan.js';
import { reusableAssertions } from '../../reuse/reuse.js';
import { mark } from '../../trace.js';
import { connectionOf, type RunContext } from '../context.js';
import type { StageRunner } from './table.js';

/** A DuckDB file no step has created yet (a first run of a step that writes only files, `--only 01_generate`). */
function missingWarehouse(run: RunContext): string | undefined {
  const warehouse = warehouseOf(run.project.root, run.settings);
  return warehouse.engine === 'duckdb' && warehouse.path !== ':memory:' && !existsSync(warehouse.path)
    ? relative(run.project.root, warehouse.path) || warehouse.path
    : undefined;
}

/** The reused answers in their places among the results of the assertions that ran. */
function merged(
  assertions: readonly Assertion[],
  reused: ReadonlyMap<Assertion, AssertionResult>,
  ran: readonly AssertionResult[],
): AssertionResult[] {
  let next = 0;
  return assertions.flatMap((a) => (reused.has(a) ? [reused.get(a)!] : next < ran.length ? [ran[next++]] : []));
}

/** Runs the assertions; the result says pass/fail per assertion, it never throws for them. `gated` (the
 * steps' results) join the report so the summary shows every assertion. `whileRunning` runs while the
 * worker has the job (the report's lineage for `test`). `reused`: answers this run need not repeat
 * (reuse/reuse.ts), reported with the run that checked them. */
async function runAssertions(
  run: RunContext,
  assertions: readonly Assertion[],
  gated: readonly AssertionResult[],
  whileRunning?: () => Promise<unknown>,
  reused: ReadonlyMap<Assertion, AssertionResult> = new Map(),
): Promise<TestsReport> {
  const { project, settings } = run;
  const startedAt = new Date();
  const toRun = assertions.filter((a) => !reused.has(a));
  let report: TestsReport;
  const missing = toRun.length > 0 ? missingWarehouse(run) : undefined;
  if (missing) {
    await whileRunning?.();
    report = {
      status: 'failed',
      durationMs: 0,
      results: [],
      error: {
        message: `the warehouse ${missing} does not exist yet: the ${toRun.length} assertion${toRun.length === 1 ? '' : 's'} after the steps ${toRun.length === 1 ? 'has' : 'have'} no tables to read`,
        hint: 'run the steps that build it first (./run.sh runs them all); nothing was published',
      },
    };
  } else if (toRun.length === 0) {
    await whileRunning?.();
    report = { status: 'ok', durationMs: 0, results: [] };
  } else {
    const answer = run.pool.run({
      kind: 'assert',
      connection: connectionOf(project, settings),
      assertions: toRun,
      failuresDir: join(logsOf(project.root, run.settings), 'test_failures'),
    });
    await whileRunning?.();
    const done = await answer;
    report =
      'result' in done
        ? maskTests(done.result)
        : { status: 'failed', durationMs: Date.now() - startedAt.getTime(), results: [], error: done.died };
  }
  if (reused.size > 0) report = { ...report, results: merged(assertions, reused, report.results) };
  run.events.onTestsEnd?.(report, startedAt);
  return gated.length ? { ...report, results: [...gated, ...report.results] } : report;
}

/** The assertions after the steps: those gating no step that ran, and the gates of the steps that did not. */
export const assertionsStage: StageRunner<'assertions'> = {
  async run(run, stage, { plan, progress }) {
    mark('build: steps done');
    const ran = new Set(progress.steps.filter((r) => r.status === 'ok').map((r) => r.step.id));
    const assertions = [...gatesNotRun(plan, ran), ...stage.assertions];
    const reused =
      plan.steps.length > 0
        ? reusableAssertions(run.project.root, run.settings, assertions)
        : new Map<Assertion, AssertionResult>(); // `test` checks everything
    run.events.onTestsStart?.(assertions.length, reused.size);
    const gated = progress.steps.flatMap((r) => r.assertions ?? []);
    const whileRunning = async () => {
      progress.flow ??= await run.flowLater?.();
    };
    progress.tests = await runAssertions(run, assertions, gated, whileRunning, reused);
    mark('build: tests done');
  },
  skip(run, _stage, progress) {
    if (progress.steps.some((r) => r.status === 'interrupted')) run.events.onInterrupted?.(String(run.signal.reason));
    if (progress.tests !== undefined) return;
    progress.tests = { status: 'skipped', durationMs: 0, results: [] };
    run.events.onTestsEnd?.(progress.tests);
  },
};
