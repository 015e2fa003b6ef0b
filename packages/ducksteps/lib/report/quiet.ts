// The quiet console (the default; --verbose prints the full tables): what changed and what needs attention.
// Passing assertions are one count, each warning one line with its count and the file of its rows, each
// failure its first offending rows; publish one line; the run one closing line. logs/, --json and report.html
// keep everything.
import type { AssertionResult, BuildResult, PublishOutcome, TestsReport } from '../results.js';
import { safeText } from './escape.js';
import { assertionFailure, counted, errorBlock, formatDuration, mark, type Style } from './tables.js';

type Writer = (text: string) => void;

const countOf = <T>(items: readonly T[], test: (item: T) => boolean) => items.filter(test).length;

/** "✔ assertions: 17 passed, 1 warning (16 not run again: checked on this same warehouse, unchanged since)". */
export function assertionsLine(style: Style, tests: TestsReport): string {
  const results = tests.results;
  const parts = [
    `${countOf(results, (r) => r.status === 'pass')} passed`,
    ...[
      [countOf(results, (r) => r.status === 'warn'), 'warning'],
      [countOf(results, (r) => r.status === 'fail'), 'failed'],
      [countOf(results, (r) => r.status === 'error'), 'in error'],
    ]
      .filter(([n]) => Number(n) > 0)
      .map(([n, what]) => (what === 'warning' ? counted(Number(n), 'warning') : `${n} ${what}`)),
  ];
  const reused = countOf(results, (r) => Boolean(r.reused));
  const note = reused > 0 ? ` (${reused} not run again: checked on this same warehouse, unchanged since)` : '';
  return `${mark(style, tests.status === 'ok')} ${counted(results.length, 'assertion')}: ${parts.join(', ')}${note}`;
}

/** "! name: 2 offending rows (warn, tests/x.sql:6), all in logs/test_failures/name.csv". */
export const warningLine = (style: Style, r: AssertionResult): string =>
  `${mark(style, 'warn')} ${safeText(r.name)}: ${counted(r.failingRows, 'offending row')} (warn, ${safeText(r.file)}:${r.line})${r.failuresFile ? `, ${r.failingRows === 1 ? 'it is' : 'all'} in ${safeText(r.failuresFile)}` : ''}`;

/** The assertions: one line for the count, a line per warning, the first rows of each failure. */
export function printQuietTests(style: Style, write: Writer, tests: TestsReport): void {
  if (tests.status === 'skipped') return write('tests: skipped (a step did not finish ok)');
  if (tests.error) write(errorBlock(style, tests.error));
  if (tests.results.length === 0) return;
  write(assertionsLine(style, tests));
  for (const r of tests.results) {
    if (r.status === 'warn') write(warningLine(style, r));
    else if (r.status !== 'pass') write(assertionFailure(style, r));
  }
}

/** "✔ publish: 3 ok, 2 skipped (DUCKSTEPS_PG_URL is not set)" (an ok target's note, such as the batches it
 * received, in brackets); then each target that failed or was interrupted, with its error. */
export function printQuietPublish(style: Style, write: Writer, outcomes: readonly PublishOutcome[]): void {
  if (outcomes.length === 0) return;
  const by = (status: PublishOutcome['status']) => outcomes.filter((o) => o.status === status);
  const notes = by('ok').flatMap((o) => (o.note ? [`${o.destination}: ${o.note}`] : []));
  const reasons = [...new Set(by('skipped').flatMap((o) => (o.note ? [o.note] : [])))];
  const parts = [
    [by('ok').length, 'ok', notes],
    [by('failed').length, 'failed', []],
    [by('interrupted').length, 'interrupted', []],
    [by('skipped').length, 'skipped', reasons],
  ] as const;
  const text = parts
    .filter(([n]) => n > 0)
    .map(([n, what, why]) => `${n} ${what}${why.length ? ` (${why.join('; ')})` : ''}`)
    .join(', ');
  const bad = by('failed').length + by('interrupted').length > 0;
  write(`${bad ? mark(style, false) : by('ok').length ? mark(style, true) : '·'} publish: ${safeText(text)}`);
  for (const o of outcomes.filter((o) => o.status === 'failed' || o.status === 'interrupted'))
    write(
      `${mark(style, false)} ${safeText(o.destination)} ${o.status}${o.error ? `\n${errorBlock(style, o.error)}` : ''}`,
    );
}

/** Everything after the step lines but the closing line: steps not run, assertions, publish. */
export function printQuietSummary(style: Style, write: Writer, result: BuildResult): void {
  const notRun = result.steps.filter((r) => r.status === 'skipped').map((r) => r.step.id);
  if (notRun.length > 0) write(`· not run (a step before them did not finish ok): ${notRun.join(', ')}`);
  if (result.tests) printQuietTests(style, write, result.tests);
  if (result.publish) printQuietPublish(style, write, result.publish);
}

/** "✔ ok in 2.10 s (run 2026…): logs in logs/, report: logs/report.html". */
export function closingLine(
  style: Style,
  result: BuildResult,
  elapsedMs: number,
  report?: string,
  logs = 'logs',
): string {
  return `${mark(style, result.status === 'ok')} ${result.status} in ${formatDuration(elapsedMs)} (run ${result.runId}): logs in ${logs}/${report ? `, report: ${report}` : ''}`;
}
