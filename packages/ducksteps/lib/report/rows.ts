// Rows of a query for people and programs (show, sql): a table, CSV (RFC 4180) or JSON.
import { csvLine } from '../logs/csv.js';
import type { QueryResult } from '../protocol.js';
import { safeJson } from './escape.js';
import { formatCount, renderTable, type Style } from './tables.js';

export type RowsFormat = 'table' | 'csv' | 'json';

const text = (v: unknown) =>
  v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** The rows as a table, then how many there were: "(3 rows)", "(20 of 1,234 rows; --limit N shows more)". */
export function rowsTable(style: Style, result: QueryResult): string {
  const table = result.columns.length
    ? renderTable(
        style,
        [...result.columns],
        result.rows.map((row) => result.columns.map((c) => text(row[c]))),
      )
    : '';
  const shown = result.rows.length;
  const count =
    shown < result.total
      ? `(${formatCount(shown)} of ${formatCount(result.total)} rows; --limit N shows more)`
      : `(${formatCount(result.total)} ${result.total === 1 ? 'row' : 'rows'})`;
  return table ? `${table}\n${count}` : count;
}

/** The rows as CSV with a header line. */
export const rowsCsv = (result: QueryResult): string =>
  [
    csvLine(result.columns),
    ...result.rows.map((row) =>
      csvLine(
        result.columns.map((c) =>
          row[c] === null ? null : typeof row[c] === 'object' ? JSON.stringify(row[c]) : (row[c] as string),
        ),
      ),
    ),
  ].join('');

/** The rows as one JSON array of objects. */
export const rowsJson = (result: QueryResult): string => `${safeJson(JSON.stringify(result.rows, null, 2))}\n`;

/** The rows in the format asked for. */
export const formatRows = (style: Style, result: QueryResult, format: RowsFormat): string =>
  format === 'csv' ? rowsCsv(result) : format === 'json' ? rowsJson(result) : `${rowsTable(style, result)}\n`;
