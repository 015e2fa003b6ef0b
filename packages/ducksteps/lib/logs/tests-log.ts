// logs/tests.csv: one row per assertion and unit test of every run (kind `assertion` or `unit`).
import { join } from 'node:path';
import { appendCsv } from './csv.js';
import { errorCell } from './step-logs.js';
import type { AssertionResult } from '../results.js';
import { differingRows, unitTestName, type UnitTestResult } from '../unit-tests.js';

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
  'scope',
] as const;

/** Appends assertion results; `step` is the step they gated ('' for the assertions after the steps). */
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
      r.scope ?? (r.reused ? '' : 'table'),
    ]),
  );
}

/** Appends unit test results (severity `error`: a failing unit test stops the run). */
export function logUnitTests(logsDir: string, runId: string, results: readonly UnitTestResult[]): void {
  appendCsv(
    join(logsDir, 'tests.csv'),
    TESTS_LOG_HEADER,
    results.map((r) => [
      runId,
      unitTestName(r),
      r.file,
      r.line,
      'error',
      r.status,
      differingRows(r),
      r.durationMs,
      errorCell(r.error),
      r.step,
      'unit',
      r.reused ?? '',
    ]),
  );
}
