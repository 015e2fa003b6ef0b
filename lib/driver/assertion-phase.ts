// Stage 5: run the tests/*.sql assertions in one read-only worker and log them to logs/tests.csv.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type nunjucks from 'nunjucks';
import { assertionsOf } from '../render/assertions.js';
import { appendCsv } from '../logs/csv.js';
import { startWorker, type Worker } from './spawn.js';
import { errorCell, logPhase } from '../logs/step-logs.js';
import type { TemplateContext } from '../render/template.js';
import type { AssertJob, Project, Settings, TestsReport } from '../types.js';

export const TESTS_LOG_HEADER = ['run_id', 'test', 'file', 'line', 'severity', 'status', 'failing_rows', 'duration_ms', 'error'] as const;

export interface TestRun {
  readonly project: Project;
  readonly settings: Settings;
  readonly env: nunjucks.Environment;
  readonly context: TemplateContext;
  readonly database: string; // absolute
  readonly tmp: string;
  readonly worker?: Worker; // pre-started during the last step
}

function logTests(logsDir: string, runId: string, report: TestsReport, startedAt: Date): void {
  appendCsv(join(logsDir, 'tests.csv'), TESTS_LOG_HEADER, report.results.map((r) => [
    runId, r.name, r.file, r.line, r.severity, r.status, r.failingRows, r.durationMs, errorCell(r.error),
  ]));
  logPhase(logsDir, runId, 'tests', {
    status: report.status, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
    durationMs: report.durationMs, error: errorCell(report.error),
  });
}

/** Renders and runs every assertion; the result says pass/fail per assertion, it never throws for them. */
export async function runTests(run: TestRun): Promise<TestsReport> {
  const { project, settings } = run;
  const startedAt = new Date();
  const logsDir = join(project.root, 'logs');
  rmSync(join(logsDir, 'test_failures'), { recursive: true, force: true });
  rmSync(join(logsDir, 'compiled', 'tests'), { recursive: true, force: true });
  const assertions = project.testFiles.flatMap((file) => assertionsOf(run.env, project.root, file, run.context));
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
  return report;
}
