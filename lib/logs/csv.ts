// RFC 4180 CSV: quoting, and appending rows under a header written once.
import { appendFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

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

/** Appends rows to a CSV log, writing the header first when the file is new or empty. */
export function appendCsv(path: string, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const fresh = !existsSync(path) || statSync(path).size === 0;
  appendFileSync(path, (fresh ? csvLine(header) : '') + rows.map(csvLine).join(''));
}

/** Writes a whole CSV file, replacing any previous one. */
export function writeCsv(path: string, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, csvLine(header) + rows.map(csvLine).join(''));
}

/** Parses RFC 4180 text into rows of cells (quoted cells may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
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
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}
