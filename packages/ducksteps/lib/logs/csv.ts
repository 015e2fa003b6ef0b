// RFC 4180 CSV: quoting, and appending rows under a header written once.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeLog } from './write.js';

export type Cell = string | number | boolean | null | undefined;

/** Quotes a cell when it holds a comma, quote, CR or LF; doubles inner quotes. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** `length` bytes of an open file from `position`, as text (fewer at its end). */
export function readAt(fd: number, position: number, length: number): string {
  const buffer = Buffer.alloc(length);
  return buffer.toString('utf8', 0, readSync(fd, buffer, 0, length, position));
}

/** The first line of a file (up to 4 KB), without its line break. */
export function firstLine(path: string): string {
  const fd = openSync(path, 'r');
  try {
    return readAt(fd, 0, 4096).split(/\r?\n/)[0];
  } finally {
    closeSync(fd);
  }
}

/** Rewrites a log written under an older header with the new one (new columns left empty). */
function migrate(path: string, header: readonly string[]): void {
  const [old = [], ...rows] = parseCsv(readFileSync(path, 'utf8'));
  const from = header.map((name) => old.indexOf(name));
  writeLog(path, csvLine(header) + rows.map((row) => csvLine(from.map((i) => (i >= 0 ? row[i] : '')))).join(''));
}

/** Appends rows to a CSV log, writing the header first when the file is new or empty (and bringing a
 * log from an older version of ducksteps up to the current header first). */
export function appendCsv(path: string, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  const fresh = !existsSync(path) || statSync(path).size === 0;
  if (!fresh && firstLine(path) !== csvLine(header).trimEnd()) migrate(path, header);
  const padded = rows.map((row) => header.map((_, i) => row[i])); // every row has every column
  writeLog(path, (fresh ? csvLine(header) : '') + padded.map(csvLine).join(''), true);
}

/** Checks that a log can be appended to (before a build commits anything it then could not log). */
export function checkAppendable(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  closeSync(openSync(path, 'a'));
}

/** Writes a whole CSV file, replacing any previous one. */
export function writeCsv(path: string, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  writeLog(path, csvLine(header) + rows.map(csvLine).join(''));
}

/** One cell and what ends it: a quoted cell ("" for a quote) or a plain one, then a comma, a line break or
 * the end of the text. */
const CELL = /(?:"([^"]*(?:""[^"]*)*)"|([^",\r\n]*))(,|\r\n|\n|\r|$)/y;

/** Parses RFC 4180 text into rows of cells (quoted cells may hold commas, quotes and line breaks). One regex
 * match per cell: logs/ grows with every run and is read back often, so this must be quick from a cold
 * start; text that is not well-formed CSV is read by the lenient character loop below. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  for (let i = 0; i < text.length;) {
    CELL.lastIndex = i;
    const m = CELL.exec(text);
    if (!m) return parseLeniently(text);
    row.push(m[1] === undefined ? m[2] : m[1].replace(/""/g, '"'));
    i = CELL.lastIndex;
    if (m[3] === ',') {
      if (i === text.length) row.push('');
      else continue;
    }
    if (m[3] !== '' || row.length > 1 || row[0] !== '') rows.push(row); // a last line of one empty cell is no row
    row = [];
  }
  return rows;
}

/** Character by character: a quote may open anywhere in a cell, text may follow a closing quote, and a
 * quote left open runs to the end of the text. */
function parseLeniently(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') cell += text[++i];
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
