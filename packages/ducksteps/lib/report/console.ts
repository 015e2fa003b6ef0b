// Prints a build as it happens: start/end line per step, heartbeats, script output, then the summary.
import {
  batchLabel,
  progressLine,
  publishTable,
  assertionFailure,
  assertionsTable,
  errorBlock,
  heartbeatLine,
  stepEndLine,
  stepStartLine,
  summaryTable,
  type Style,
} from './tables.js';
import type { BuildEvents, BuildResult, PublishOutcome, TestsReport } from '../results.js';
import { safeText } from './escape.js';
import { unitTestsBlock } from './unit-tests.js';
import { printQuietSummary, warningLine } from './quiet.js';

export type Writer = (text: string) => void;

/** A line rewritten in place on a terminal (carriage return and spaces only: no control sequences);
 * `undefined` clears it before ordinary output. */
export type LiveLine = (text: string | undefined) => void;

export function liveLine(stream: NodeJS.WriteStream): LiveLine {
  let shown = 0;
  return (text) => {
    if (text === undefined) {
      if (shown) stream.write(`\r${' '.repeat(shown)}\r`);
      shown = 0;
      return;
    }
    const line = text.slice(0, Math.max(40, (stream.columns || 100) - 1));
    stream.write(`\r${line}${' '.repeat(Math.max(0, shown - line.length))}`);
    shown = line.length;
  };
}

/** Build events that print through `write` (stdout normally, stderr under --json). On a terminal (`live`)
 * a long statement's progress updates in place every second; otherwise a line every heartbeat (~10 s).
 * Quiet (the default): one line per step as it ends (on a terminal its start shows in place until then);
 * `verbose`: also a line as each step and stage starts. */
export function consoleEvents(style: Style, print: Writer, live?: LiveLine, verbose = false): BuildEvents {
  const write: Writer = (text) => {
    live?.(undefined);
    print(text);
  };
  /** A start line: printed when verbose, else shown in place on a terminal until the next line. */
  const started: Writer = (text) => (verbose ? write(text) : live?.(text));
  let latest: { step: string; line: string } | undefined;
  return {
    onProgress: (step, p) => {
      latest = { step: step.id, line: progressLine(style, step, p) };
      live?.(latest.line);
    },
    onTestsStart: (count, reused = 0) =>
      count > 0 &&
      started(
        `▶ tests: ${count} assertion${count === 1 ? '' : 's'} after the steps${reused > 0 ? ` (${reused === count ? 'all' : reused} checked on this same warehouse, unchanged since: not run again; --recheck runs them)` : ''}`,
      ),
    onUnitTestsStart: (count) =>
      started(`▶ unit tests: ${count} (each on an in-memory DuckDB; the warehouse is not opened)`),
    onUnitTestsEnd: (report) => write(unitTestsBlock(style, report)),
    onPublishStart: (count) => started(`▶ publish: ${count} target${count === 1 ? '' : 's'} (the checks passed)`),
    onStepStart: (step, batch) =>
      started(
        stepStartLine(
          style,
          step,
          batch &&
            batchLabel(
              {
                id: batch.batch.id,
                files: [batch.batch, ...(batch.through ?? [])].reduce((n, b) => n + b.files.length, 0),
                fullRefresh: batch.batch.fullRefresh,
                last: batch.through?.at(-1)?.id,
              },
              batch,
            ),
        ),
      ),
    onNotice: (line) => write(`· ${safeText(line)}`),
    onWaiting: (line) => write(`· ${safeText(line)}`),
    onWarning: (line) => write(`! ${safeText(line)}`),
    onHeartbeat: (step, ms) => {
      if (!live) write(latest?.step === step.id ? latest.line : heartbeatLine(style, step, ms));
    },
    onOutput: (_step, line) => write(`  │ ${safeText(line)}`),
    onStepEnd: (report) => {
      if (report.status === 'skipped') return; // the summary shows the steps a failure left out
      latest = undefined;
      write(stepEndLine(style, report));
      for (const c of report.schemaChanges ?? [])
        if (c.version > 1) write(`  · ${c.table}: ${safeText(c.change)} (schema version ${c.version})`);
      if (report.error) {
        const committed = report.committedFiles ?? [];
        const next = report.error.committed
          ? `${report.step.id} was committed (the failure came after its commit point); continue with ./run.sh --resume`
          : committed.length === 0
            ? `nothing of ${report.step.id} was committed; fix it, then continue with ./run.sh --resume`
            : `committed before the failure (marked no-transaction): ${committed.join(', ')}; the rest of ${report.step.id} was rolled back; fix it, then continue with ./run.sh --resume`;
        write(errorBlock(style, report.error, next));
        for (const r of report.assertions ?? [])
          if (r.status === 'warn' && !verbose) write(warningLine(style, r));
          else if (r.status !== 'pass') write(assertionFailure(style, r));
      }
    },
  };
}

/** The assertions: their table, then each failure with its first rows. */
export function printTests(style: Style, write: Writer, tests: TestsReport): void {
  if (tests.status === 'skipped') {
    write('tests: skipped (a step did not finish ok)');
    return;
  }
  if (tests.error) write(errorBlock(style, tests.error));
  if (tests.results.length === 0) return;
  write(assertionsTable(style, tests));
  for (const r of tests.results) if (r.status !== 'pass') write(assertionFailure(style, r));
}

/** The publish targets: where each went, rows, size, and the error of a failed one. */
export function printPublish(style: Style, write: Writer, outcomes: readonly PublishOutcome[]): void {
  write(publishTable(style, outcomes));
  for (const o of outcomes) if (o.error) write(errorBlock(style, o.error));
}

/** The closing summary. Verbose: the steps table, the assertions table, the publish table and where the logs
 * are; quiet (the default): steps not run, the assertions' count with each warning and failure, one publish
 * line (the closing line, with the report, is the command's). */
export function printSummary(style: Style, write: Writer, result: BuildResult, verbose = false, logs = 'logs'): void {
  if (!verbose) return printQuietSummary(style, write, result);
  write('');
  if (result.steps.length > 0) write(summaryTable(style, result));
  if (result.tests) printTests(style, write, result.tests);
  if (result.publish) printPublish(style, write, result.publish);
  write(
    `logs: ${logs}/run_log.csv, ${logs}/<step>.csv, ${logs}/tests.csv, compiled SQL in logs/compiled/ (run ${result.runId})`,
  );
}
