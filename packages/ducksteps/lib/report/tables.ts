// Stage 6: everything the console shows, as strings (the only file that imports cli-table3).
import Table from 'cli-table3';
import type { Step, StepError } from '../model.js';
import type { AssertionResult, BuildResult, PublishOutcome, StepReport, TestsReport } from '../results.js';
import { safeCell, safeText } from './escape.js';

export interface Style {
  readonly color: boolean;
}

/** Colour only for a terminal, and never when NO_COLOR is set. */
export function detectStyle(stream: { isTTY?: boolean } = process.stdout): Style {
  return { color: Boolean(stream.isTTY) && !process.env.NO_COLOR };
}

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
const paint = (style: Style, code: keyof typeof CODES, text: string) =>
  style.color ? `\u001b[${CODES[code]}m${text}\u001b[0m` : text;

/** ✔ (green) for ok, ✘ (red) for not, ! (yellow) for a warning. */
export const mark = (style: Style, ok: boolean | 'warn') =>
  ok === 'warn' ? paint(style, 'yellow', '!') : ok ? paint(style, 'green', '✔') : paint(style, 'red', '✘');

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** 1234567 -> "1,234,567" (as toLocaleString('en-US') writes it, without its ~25 ms first-call cost of
 * loading the locale data). Counts are integers; a fraction keeps at most three digits, as there. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [whole, fraction] = String(Math.abs(Math.round(n * 1000) / 1000)).split('.');
  return `${n < 0 && n !== 0 ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

/** "1 row", "2 rows", "70,002 statements": a count with its noun, singular when it is one. */
export const counted = (n: number, noun: string, plural = `${noun}s`) => `${formatCount(n)} ${n === 1 ? noun : plural}`;

const STATUS_COLOR: Record<string, keyof typeof CODES> = {
  ok: 'green',
  'up to date': 'green',
  pass: 'green',
  failed: 'red',
  fail: 'red',
  error: 'red',
  warn: 'yellow',
  skipped: 'dim',
};
export const formatStatus = (style: Style, status: string) => paint(style, STATUS_COLOR[status] ?? 'yellow', status);

/** "batch 7 (2 of 3, 1 file)": which batch an incremental step is on; "batches 1-30 (…)" for a refresh that
 * commits several at once. */
export function batchLabel(
  batch: { id: number; files: number; fullRefresh: boolean; last?: number },
  position?: { number: number; of: number },
): string {
  const where = position && position.of > 1 && batch.last === undefined ? `${position.number} of ${position.of}, ` : '';
  const which = batch.last === undefined ? `batch ${batch.id}` : `batches ${batch.id}-${batch.last}`;
  return `${which} (${where}${counted(batch.files, 'file')}${batch.fullRefresh ? ', full refresh' : ''})`;
}

export const stepStartLine = (style: Style, step: Step, batch?: string) =>
  `${paint(style, 'dim', '▶')} ${step.id}${batch ? ` ${batch}` : ''} ${paint(style, 'dim', 'started')}`;

export function stepEndLine(style: Style, r: StepReport): string {
  if (r.status === 'up to date')
    return `${paint(style, 'green', '✔')} ${r.step.id} ${formatStatus(style, r.status)}: ${r.reason ?? 'no new batch'}`;
  const mark = r.status === 'ok' ? paint(style, 'green', '✔') : paint(style, 'red', '✘');
  const batch = r.batch ? ` ${batchLabel(r.batch)}` : '';
  const onBatch = r.assertions?.filter((a) => a.scope === 'batch').length ?? 0;
  const batchOnly = onBatch ? ` (${onBatch} on the batch's rows only)` : '';
  const gated = r.assertions?.length ? `, ${counted(r.assertions.length, 'assertion')} gated it${batchOnly}` : '';
  const retried = r.retries ? ` (ran again after ${counted(r.retries, 'commit conflict')})` : '';
  return `${mark} ${r.step.id}${batch} ${formatStatus(style, r.status)} in ${formatDuration(r.durationMs)}, ${counted(r.rowsChanged, 'row')}, ${counted(r.statements.length, 'statement')}${gated}${retried}`;
}

export const heartbeatLine = (style: Style, step: Step, elapsedMs: number) =>
  paint(style, 'dim', `… ${step.id} still running (${formatDuration(elapsedMs)})`);

/** "… 03_quality 2/7 01_typed_orders.sql:7 42% 1,234,567 rows 12.3 s": a long statement, as DuckDB sees it. */
export function progressLine(
  style: Style,
  step: Step,
  p: { file: string; line: number; index: number; count: number; percentage: number; rows: number; elapsedMs: number },
): string {
  const pct = p.percentage >= 0 ? ` ${Math.floor(p.percentage)}%` : '';
  const rows = p.rows > 0 ? ` ${formatCount(p.rows)} rows` : '';
  return paint(
    style,
    'dim',
    `… ${step.id} ${p.index}/${p.count} ${p.file.split('/').pop()}:${p.line}${pct}${rows} ${(p.elapsedMs / 1000).toFixed(1)} s`,
  );
}

/** The error block under a failed step: what, where, the statement, the compiled file, what to do (every
 * part may quote data: printed with its control characters escaped). */
export function errorBlock(style: Style, error: StepError, next?: string): string {
  const where = error.file ? `${error.file}${error.line ? `:${error.line}` : ''}` : undefined;
  const lines = [`  ${paint(style, 'red', 'error:')} ${safeText(error.message).split('\n').join('\n    ')}`];
  if (where) lines.push(`  ${paint(style, 'bold', 'at')} ${safeText(where)}`);
  if (error.statement)
    lines.push(
      safeText(error.statement)
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n'),
    );
  if (error.compiled)
    lines.push(`  compiled SQL: ${safeText(error.compiled)}${error.compiledLine ? `:${error.compiledLine}` : ''}`);
  if (error.hint) lines.push(`  hint: ${safeText(error.hint)}`);
  if (next) lines.push(`  ${next}`);
  return lines.join('\n');
}

const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

function table(style: Style, head: string[]): Table.Table {
  return new Table({
    head,
    chars: COMPACT,
    style: style.color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
  });
}

/** The summary table printed after the last step. */
export function summaryTable(style: Style, result: BuildResult): string {
  const batches = result.steps.some((r) => r.batch);
  const t = table(style, [
    'step',
    ...(batches ? ['batch'] : []),
    'status',
    'duration',
    'statements',
    'rows',
    'peak memory',
  ]);
  for (const r of result.steps) {
    const memory = r.stats?.peakRssMb ? `${formatCount(r.stats.peakRssMb)} MB` : '';
    t.push([
      r.step.id,
      ...(batches ? [r.batch ? String(r.batch.id) : ''] : []),
      formatStatus(style, r.status),
      formatDuration(r.durationMs),
      formatCount(r.statements.length),
      formatCount(r.rowsChanged),
      memory,
    ]);
  }
  const total = result.steps.reduce((sum, r) => sum + r.durationMs, 0);
  t.push(['total', ...(batches ? [''] : []), formatStatus(style, result.status), formatDuration(total), '', '', '']);
  return t.toString();
}

/** A cell ducksteps painted itself (a status): printed as it is, where every other cell is escaped. */
export interface Painted {
  readonly painted: string;
}

/** A status in its colour, for renderTable. */
export const paintedStatus = (style: Style, status: string): Painted => ({ painted: formatStatus(style, status) });

/** Generic table for other commands (list, logs); cells may hold data (file names, statements): escaped. */
export function renderTable(
  style: Style,
  head: string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | Painted>>,
): string {
  const t = table(style, head);
  for (const row of rows)
    t.push(row.map((c) => (typeof c === 'object' ? c.painted : typeof c === 'string' ? safeCell(c) : c)));
  return t.toString();
}

/** The assertions table: name, severity, status, offending rows, duration. */
export function assertionsTable(style: Style, tests: TestsReport): string {
  const t = table(style, ['assertion', 'severity', 'status', 'rows', 'duration']);
  for (const r of tests.results) {
    t.push([
      safeCell(r.name),
      r.severity,
      formatStatus(style, r.status),
      formatCount(r.failingRows),
      formatDuration(r.durationMs),
    ]);
  }
  return t.toString();
}

const cell = (v: unknown) =>
  safeCell(v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Under a failed assertion: its first offending rows, "(N more)", where all of them are, the compiled SQL. */
export function assertionFailure(style: Style, r: AssertionResult): string {
  const head = `${r.status === 'warn' ? paint(style, 'yellow', '!') : paint(style, 'red', '✘')} ${safeText(r.name)} (${safeText(r.file)}:${r.line})`;
  if (r.error)
    return `${head}\n${errorBlock(style, { ...r.error, file: r.error.file ?? r.file, line: r.error.line ?? r.line })}`;
  const sample = table(style, r.columns.map(safeCell));
  for (const row of r.sample) sample.push(r.columns.map((c) => cell(row[c])));
  const more = r.failingRows > r.sample.length ? `\n  (${formatCount(r.failingRows - r.sample.length)} more)` : '';
  const where = `\n  ${r.failingRows === 1 ? 'the row' : `all ${counted(r.failingRows, 'row')}`}: ${safeText(r.failuresFile ?? '')}\n  compiled SQL: ${safeText(r.compiled)}`;
  return `${head}: ${counted(r.failingRows, 'offending row')}\n${sample.toString().replace(/^/gm, '  ')}${more}${where}`;
}

/** The publish table: destination, status, rows, size, duration. */
export function publishTable(style: Style, outcomes: readonly PublishOutcome[]): string {
  const t = table(style, ['publish', 'status', 'rows', 'size', 'duration']);
  for (const o of outcomes) {
    const size = o.bytes >= 1e6 ? `${(o.bytes / 1e6).toFixed(1)} MB` : `${formatCount(Math.ceil(o.bytes / 1e3))} kB`;
    t.push([
      safeCell(o.destination),
      formatStatus(style, o.status) + (o.note ? ` (${safeCell(o.note)})` : ''),
      formatCount(o.rows),
      o.status === 'ok' ? size : '',
      formatDuration(o.durationMs),
    ]);
  }
  return t.toString();
}
