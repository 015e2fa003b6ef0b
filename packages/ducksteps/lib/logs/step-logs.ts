// Stage 4: the CSV logs under logs/: one row per step per run, one row per statement per step.
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { appendCsv, checkAppendable } from './csv.js';
import type { StepError } from '../model.js';
import type { PublishOutcome, StepReport } from '../results.js';

export const RUN_LOG_HEADER = [
  'run_id',
  'step',
  'status',
  'started_at',
  'finished_at',
  'duration_ms',
  'statements',
  'rows_changed',
  'error',
  'batch_id',
  'batch_files',
  'peak_rss_mb',
  'cpu_ms',
  'bytes',
] as const;
export const STEP_LOG_HEADER = [
  'run_id',
  'step',
  'file',
  'statement',
  'line',
  'kind',
  'rows_changed',
  'duration_ms',
  'status',
  'error',
  'batch_id',
] as const;

/** "sql/03_quality/02_split.sql:14: Binder Error: ..." — the one-cell form of an error. */
export function errorCell(error: StepError | undefined): string {
  if (!error) return '';
  const where = error.file ? `${error.file}${error.line ? `:${error.line}` : ''}: ` : '';
  return `${where}${error.message}`;
}

/** Appends a finished (or skipped) step to logs/run_log.csv and its statements to logs/NN_name.csv. */
export function logStep(logsDir: string, runId: string, report: StepReport): void {
  appendCsv(join(logsDir, 'run_log.csv'), RUN_LOG_HEADER, [
    [
      runId,
      report.step.id,
      report.status,
      report.startedAt,
      report.finishedAt,
      report.durationMs,
      report.statements.length,
      report.rowsChanged,
      errorCell(report.error),
      report.batch?.id,
      report.batch?.files,
      report.stats?.peakRssMb,
      report.stats?.cpuMs,
    ],
  ]);
  if (report.statements.length === 0) return;
  appendCsv(
    join(logsDir, `${report.step.id}.csv`),
    STEP_LOG_HEADER,
    report.statements.map((s) => [
      runId,
      report.step.id,
      s.file,
      s.text,
      s.line,
      s.kind,
      s.rowsChanged,
      s.durationMs,
      s.status,
      s.error ?? '',
      report.batch?.id,
    ]),
  );
}

/** Appends a non-step phase row (tests, interrupted run) to logs/run_log.csv; it is stamped with the time
 * it is written when it has no times of its own (a run that failed before its first step has only it). */
export function logPhase(
  logsDir: string,
  runId: string,
  phase: string,
  row: { status: string; startedAt?: string; finishedAt?: string; durationMs?: number; error?: string },
): void {
  appendCsv(join(logsDir, 'run_log.csv'), RUN_LOG_HEADER, [
    [
      runId,
      phase,
      row.status,
      row.startedAt,
      row.finishedAt ?? new Date().toISOString(),
      row.durationMs,
      '',
      '',
      row.error ?? '',
      '',
      '',
      '',
      '',
    ],
  ]);
}

/** Refuses to start a build whose run log cannot be written: its steps would commit unlogged. */
export function checkLogs(logsDir: string): void {
  try {
    checkAppendable(join(logsDir, 'run_log.csv'));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new ConfigError(`cannot write the run log logs/run_log.csv (${code})`, {
      cause,
      hint: 'make logs/ and its files writable (or free disk space), then run again; nothing was run',
    });
  }
}

/** Appends a publish target's row: step `publish <destination>`, rows and bytes delivered. */
export function logPublish(logsDir: string, runId: string, outcome: PublishOutcome): void {
  const row: Record<(typeof RUN_LOG_HEADER)[number], unknown> = {
    run_id: runId,
    step: `publish ${outcome.destination}`,
    status: outcome.status,
    started_at: '',
    finished_at: new Date().toISOString(),
    duration_ms: outcome.durationMs,
    statements: '',
    rows_changed: outcome.rows,
    error: errorCell(outcome.error),
    batch_id: '',
    batch_files: '',
    peak_rss_mb: '',
    cpu_ms: '',
    bytes: outcome.bytes,
  };
  appendCsv(join(logsDir, 'run_log.csv'), RUN_LOG_HEADER, [RUN_LOG_HEADER.map((h) => row[h] as string | number)]);
}
