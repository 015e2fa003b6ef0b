// Stage 5: render the tests/*.sql assertions; run those that gate no step in one read-only worker after the
// steps; log them all to logs/tests.csv.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type nunjucks from 'nunjucks';
import { assertionsOf } from '../render/assertions.js';
import { appendCsv } from '../logs/csv.js';
import { startWorker, type Worker } from './spawn.js';
import { errorCell, logPhase } from '../logs/step-logs.js';
import type { TemplateContext } from '../render/template.js';
import type { Assertion, AssertionResult, AssertJob, Project, Settings, TestsReport } from '../types.js';

export const TESTS_LOG_HEADER = ['run_id', 'test', 'file', 'line', 'severity', 'status', 'failing_rows', 'duration_ms', 'error', 'step'] as const;

export interface TestRun {
  readonly project: Project;
  readonly settings: Settings;
  readonly env: nunjucks.Environment;
  readonly context: TemplateContext;
  readonly database: string; // absolute
  readonly tmp: string;
  readonly worker?: Worker; // pre-started during the last step
}

/** Appends assertion results to logs/tests.csv; `step` is the step they gated ('' after the steps). */
export function logAssertions(logsDir: string, runId: string, results: readonly AssertionResult[], step = ''): void {
  appendCsv(join(logsDir, 'tests.csv'), TESTS_LOG_HEADER, results.map((r) => [
    runId, r.name, r.file, r.line, r.severity, r.status, r.failingRows, r.durationMs, errorCell(r.error), step,
  ]));
}

function logTests(logsDir: string, runId: string, report: TestsReport, startedAt: Date): void {
  logAssertions(logsDir, runId, report.results);
  logPhase(logsDir, runId, 'tests', {
    status: report.status, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
    durationMs: report.durationMs, error: errorCell(report.error),
  });
}

/** Renders every assertion of tests/ (replacing the last run's compiled copies and failure files). */
export function renderAssertions(project: Project, env: nunjucks.Environment, context: TemplateContext): Assertion[] {
  const logsDir = join(project.root, 'logs');
  rmSync(join(logsDir, 'test_failures'), { recursive: true, force: true });
  rmSync(join(logsDir, 'compiled', 'tests'), { recursive: true, force: true });
  return project.testFiles.flatMap((file) => assertionsOf(env, project.root, file, context));
}

/** Runs the assertions that did not gate a step; the result says pass/fail per assertion, it never throws
 * for them. `gated` (the steps' results) join the report so the summary shows every assertion. */
export async function runTests(run: TestRun, assertions: readonly Assertion[], gated: readonly AssertionResult[] = []): Promise<TestsReport> {
  const { project, settings } = run;
  const startedAt = new Date();
  const logsDir = join(project.root, 'logs');
  let report: TestsReport;
  if (assertions.length === 0) {
    run.worker?.cancel();
    report = { status: 'ok', durationMs: 0, results: [] };
  } else {
    const job: AssertJob = {
      kind: 'assert', database: run.database, threads: settings.threads, memoryLimit: settings.memoryLimit, assertions,
      failuresDir: join(logsDir, 'test_failures'), projectRoot: project.root, resultPath: join(run.tmp, 'tests.json'), lockTimeoutMs: settings.lockTimeoutMs,
    };
    const answer = await (run.worker ?? startWorker(project.root)).run<TestsReport>(job);
    report = 'result' in answer ? answer.result : { status: 'failed', durationMs: Date.now() - startedAt.getTime(), results: [], error: answer.died };
  }
  logTests(logsDir, run.context.run_id, report, startedAt);
  return gated.length ? { ...report, results: [...gated, ...report.results] } : report;
}
