// The assertions stage: the assertions that gated no running step, read-only in one worker after the steps;
// every assertion result (gated ones too) is logged to logs/tests.csv.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { appendCsv } from '../../logs/csv.js';
import { errorCell, logPhase } from '../../logs/step-logs.js';
import type { Assertion } from '../../model.js';
import type { AssertionResult, TestsReport } from '../../results.js';
import { maskTests } from '../../render/secrets.js';
import { warehouseOf } from '../../warehouse.js';
import { reusedResult } from '../../reuse/reuse.js';
import { connectionOf, logsDirOf, type RunContext } from '../context.js';

export const TESTS_LOG_HEADER = [
  'run_id',
  'test',
  'file',
  'line',
  'severity',
  'status',
  'failing_rows',
  'duration_ms',
  'error',
  'step',
  'kind',
  'reused_from',
] as const;

/** Appends assertion results to logs/tests.csv; `step` is the step they gated ('' after the steps); kind
 * `assertion` (unit tests log kind `unit`: unit-stage.ts). */
export function logAssertions(logsDir: string, runId: string, results: readonly AssertionResult[], step = ''): void {
  appendCsv(
    join(logsDir, 'tests.csv'),
    TESTS_LOG_HEADER,
    results.map((r) => [
      runId,
      r.name,
      r.file,
      r.line,
      r.severity,
      r.status,
      r.failingRows,
      r.durationMs,
      errorCell(r.error),
      step,
      'assertion',
      r.reused ?? '',
    ]),
  );
}

function logTests(logsDir: string, runId: string, report: TestsReport, startedAt: Date): void {
  logAssertions(logsDir, runId, report.results);
  logPhase(logsDir, runId, 'tests', {
    status: report.status,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: report.durationMs,
    error: errorCell(report.error),
  });
}

/** A DuckDB file no step has created yet (a first run of a step that writes only files, `--only 01_generate`). */
function missingWarehouse(run: RunContext): string | undefined {
  const warehouse = warehouseOf(run.project.root, run.settings);
  return warehouse.engine === 'duckdb' && warehouse.path !== ':memory:' && !existsSync(warehouse.path)
    ? relative(run.project.root, warehouse.path) || warehouse.path
    : undefined;
}

/** The reused passes in their places among the results of the assertions that ran. */
function merged(
  assertions: readonly Assertion[],
  reused: ReadonlyMap<Assertion, string>,
  ran: readonly AssertionResult[],
): AssertionResult[] {
  let next = 0;
  return assertions.flatMap((a) =>
    reused.has(a) ? [reusedResult(a, reused.get(a)!)] : next < ran.length ? [ran[next++]] : [],
  );
}

/** Runs the assertions; the result says pass/fail per assertion, it never throws for them. `gated` (the
 * steps' results) join the report so the summary shows every assertion. `whileRunning` runs while the
 * worker has the job (the report's lineage for `test`). `reused`: passes this run need not repeat
 * (orchestration/reuse.ts), reported as passes with the run that checked them. */
export async function runAssertionsStage(
  run: RunContext,
  assertions: readonly Assertion[],
  gated: readonly AssertionResult[],
  whileRunning?: () => Promise<unknown>,
  reused: ReadonlyMap<Assertion, string> = new Map(),
): Promise<TestsReport> {
  const { project, settings } = run;
  const startedAt = new Date();
  const logsDir = logsDirOf(run);
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
      failuresDir: join(logsDir, 'test_failures'),
    });
    await whileRunning?.();
    const done = await answer;
    report =
      'result' in done
        ? maskTests(done.result)
        : { status: 'failed', durationMs: Date.now() - startedAt.getTime(), results: [], error: done.died };
  }
  if (reused.size > 0) report = { ...report, results: merged(assertions, reused, report.results) };
  logTests(logsDir, run.runId, report, startedAt);
  return gated.length ? { ...report, results: [...gated, ...report.results] } : report;
}
