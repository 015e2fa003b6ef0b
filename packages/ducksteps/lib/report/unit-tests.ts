// Unit tests on the console: a line as they start, each failure with its first differing rows (or the step's
// error located like a real run's), where the whole diff is, and a closing count.
import { DIFF_LEGEND, formatDiff } from '../logs/unit-failures.js';
import { unitTestName, type UnitTestResult, type UnitTestsReport } from '../unit-tests.js';
import { errorBlock, formatDuration, formatStatus, renderTable, type Style } from './tables.js';

const ROWS = 5;

/** One failed (or erroring) test: its name and place, then the diff of each table or the error. */
export function unitFailure(style: Style, r: UnitTestResult): string {
  const head = `✘ ${unitTestName(r)} (${r.file}:${r.line}) ${formatStatus(style, r.status === 'fail' ? 'failed' : 'error')}`;
  if (r.error) return `${head}\n${errorBlock(style, r.error)}${r.failuresFile ? `\n  also in ${r.failuresFile}` : ''}`;
  const tables = r.diffs.flatMap((d) => formatDiff(d, ROWS).map((l) => `  ${l}`));
  return [head, ...tables, DIFF_LEGEND, `  the whole diff: ${r.failuresFile}`].join('\n');
}

/** "unit tests: 5 passed, 1 failed in 0.61 s". */
export function unitSummaryLine(style: Style, report: UnitTestsReport): string {
  const count = (status: string) => report.results.filter((r) => r.status === status).length;
  const parts = [
    `${count('pass')} passed`,
    ...(count('fail') ? [`${count('fail')} failed`] : []),
    ...(count('error') ? [`${count('error')} in error`] : []),
  ];
  const mark = report.status === 'ok' ? '✔' : '✘';
  const reused = report.results.filter((r) => r.reused).length;
  const note =
    reused > 0
      ? ` (${reused === report.results.length ? 'all' : reused} with the inputs of an earlier pass: not run again)`
      : '';
  return `${mark} unit tests: ${parts.join(', ')} in ${formatDuration(report.durationMs)}${note}${report.status === 'ok' ? '' : report.status === 'interrupted' ? ' (interrupted)' : '; nothing was run on the warehouse'}`;
}

/** Each step that does not render, once, with its error: the tests of it refer to this. */
export function unrenderedBlock(style: Style, report: UnitTestsReport): string[] {
  return (report.unrendered ?? []).map(
    (u) =>
      `✘ ${u.steps.join(', ')} ${u.steps.length === 1 ? 'does' : 'do'} not render: unit tests take no column types from ${u.steps.length === 1 ? 'it' : 'them'}, and none of ${u.steps.length === 1 ? 'its' : 'their'} own can run\n${errorBlock(style, u.error)}`,
  );
}

/** Any step that does not render, the failures, then the closing line (a run prints this as its unit-test
 * stage ends; `test --unit` prints the steps that do not render before its table: `first` false). */
export function unitTestsBlock(style: Style, report: UnitTestsReport, first = true): string {
  return [
    ...(first ? unrenderedBlock(style, report) : []),
    ...report.results.filter((r) => r.status !== 'pass').map((r) => unitFailure(style, r)),
    unitSummaryLine(style, report),
  ].join('\n');
}

/** `test --unit`: a table of every test, then the failures and the closing line. */
export function unitTestsTable(style: Style, report: UnitTestsReport): string {
  const rows = report.results.map((r) => [
    unitTestName(r),
    `${r.file}:${r.line}`,
    formatStatus(style, r.status),
    formatDuration(r.durationMs),
  ]);
  return renderTable(style, ['unit test', 'where', 'status', 'duration'], rows);
}
