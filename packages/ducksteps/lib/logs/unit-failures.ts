// A failed unit test as text: per table, the rows only expected (-), only actual (+) and, for rows matched by
// the key, the changed cells marked (expected → actual). The console shows the first rows; the whole diff goes
// to logs/unit_failures/<step>.<test>.txt (replaced each time unit tests run).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiffCell, TableDiff, UnitTestResult } from '../unit-tests.js';

export const UNIT_FAILURES = 'unit_failures';
const show = (v: DiffCell) => (v === null ? 'NULL' : v === '' ? '""' : v);
const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The lines of a table's diff (at most `limit` rows shown, then "(N more)"). */
export function formatDiff(d: TableDiff, limit = Infinity): string[] {
  if (d.note) return [`${d.table}: ${d.note}`];
  const key = d.key.length ? ` (key ${d.key.join(', ')})` : '';
  const head = `${d.table}: ${plural(d.expectedRows, 'row')} expected, ${d.actualRows} actual; ${d.changed.length} changed${key}, ${d.onlyExpected.length} only expected, ${d.onlyActual.length} only actual`;
  const rows: Array<[string, string[]]> = [
    ...d.changed.map((c): [string, string[]] => [
      '~',
      c.expected.map((v, i) => (v === c.actual[i] ? show(v) : `${show(v)} → ${show(c.actual[i])}`)),
    ]),
    ...d.onlyExpected.map((r): [string, string[]] => ['-', r.map(show)]),
    ...d.onlyActual.map((r): [string, string[]] => ['+', r.map(show)]),
  ];
  const shown = rows.slice(0, limit);
  const widths = d.columns.map((c, i) => Math.max(c.length, ...shown.map(([, r]) => r[i].length)));
  const line = (mark: string, cells: readonly string[]) =>
    `  ${mark} ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')}`.trimEnd();
  const more = rows.length > shown.length ? [`    (${rows.length - shown.length} more)`] : [];
  return [head, line(' ', d.columns), ...shown.map(([mark, cells]) => line(mark, cells)), ...more];
}

/** The legend under a diff. */
export const DIFF_LEGEND = '  - only expected, + only actual, ~ same key with changed cells (expected → actual)';

/** A failed test's whole diff, for its file. */
export function failureText(r: UnitTestResult): string {
  const head = `${r.step} › ${r.name} (${r.file}:${r.line}): ${r.status}`;
  const body = r.error
    ? [
        `error: ${r.error.message}`,
        ...(r.error.file ? [`at ${r.error.file}${r.error.line ? `:${r.error.line}` : ''}`] : []),
        ...(r.error.hint ? [`hint: ${r.error.hint}`] : []),
      ]
    : [...r.diffs.flatMap((d) => formatDiff(d)), DIFF_LEGEND];
  return `${[head, ...body].join('\n')}\n`;
}

/** Empties logs/unit_failures/ before unit tests run. */
export function clearUnitFailures(logsDir: string): void {
  rmSync(join(logsDir, UNIT_FAILURES), { recursive: true, force: true });
}

/** Where a failed test's whole diff is written (project-relative); the same path every time it fails. */
export function unitFailureFile(r: UnitTestResult): string {
  const name = `${r.step}.${r.name}`.replace(/[^A-Za-z0-9_.-]+/g, '_');
  return `logs/${UNIT_FAILURES}/${name}.txt`;
}

/** Writes a failed test's file at unitFailureFile(r). */
export function writeUnitFailure(logsDir: string, r: UnitTestResult): void {
  mkdirSync(join(logsDir, UNIT_FAILURES), { recursive: true });
  writeFileSync(join(logsDir, '..', unitFailureFile(r)), failureText(r));
}
