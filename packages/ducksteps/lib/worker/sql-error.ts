// Locates a DuckDB error in the user's source file and adds what to do about it.
import { relative, sep } from 'node:path';
import { ENGINES } from '../engines/traits.js';
import { lineColAt } from '../sql/line-map.js';
import type { SqlChunk } from '../sql/split.js';
import type { RenderedFile, StepError } from '../model.js';

const HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Parser Error/, 'check the SQL syntax at that line (a missing comma or parenthesis is the usual cause)'],
  [
    /^Catalog Error/,
    'check the name; if an earlier step should create it, check that step ran (steps run in number order)',
  ],
  [
    /has \d+ columns but \d+ values were supplied/,
    "the table's columns are not the ones this statement gives: if the step's columns changed, declare the table with a column list (CREATE TABLE IF NOT EXISTS t (…)) and see docs/schema-changes.md (on_schema_change, --full-refresh --select STEP+)",
  ],
  [/^Binder Error/, 'check column and table names at that line'],
  [
    /CSV file .* cannot be read/,
    'fix the file, or deliver a corrected one under a new name and move this one away; an incremental batch with it stays pending (nothing of it was committed)',
  ],
  [/^Conversion Error/, 'a value could not be converted; TRY_CAST(...) turns bad values into NULL'],
  [
    /Could not set lock on file/,
    'another program has the database open (its PID is above): close it (DuckDB CLI, notebook, script) and run again, or pass --lock-timeout 60 to wait for it',
  ],
  [/^Out of Memory Error/, 'raise --memory-limit, lower --threads, or split the statement'],
  [
    /not supported in DuckLake|DuckLake does not support|Failed to convert DuckDB type to DuckLake/,
    'DuckLake does not support this (constraints, indexes, sequences, ENUM/UNION/fixed-size array types, INSERT OR REPLACE): docs/scale.md says what to write instead',
  ],
  ...ENGINES.flatMap((engine) => engine.sqlErrorHints), // each engine's own errors (engines/traits.ts)
];

export function hintFor(message: string): string | undefined {
  return HINTS.find(([pattern]) => pattern.test(message))?.[1];
}

/** Statement lines around the failing one, numbered by source line, the failing one marked. */
function excerpt(file: RenderedFile, chunk: SqlChunk, failingLine: number): string {
  const lines = file.sql.split('\n');
  const first = lineColAt(file.sql, chunk.start).line;
  const last = lineColAt(file.sql, chunk.offset + chunk.text.length).line;
  const from = Math.max(first, failingLine - 3);
  const to = Math.min(last, failingLine + 1);
  const out: string[] = [];
  for (let r = from; r <= to; r++) {
    const mark = r === failingLine ? '>' : ' ';
    const source = file.lineMap[r - 1] ?? r;
    // lines a macro expanded into share their call's source line: number it once, then mark with ·
    const label = r > from && file.lineMap[r - 2] === source ? '·' : String(source);
    out.push(`${mark} ${label.padStart(4)} | ${lines[r - 1] ?? ''}`);
  }
  return out.join('\n');
}

/** A CSV reader error names the data file and its line: say that first, without the sniffer's dump. */
function csvMessage(raw: string): string | undefined {
  const line = raw.match(/CSV Error on Line: (\d+)/)?.[1];
  const file = raw.match(/\n\s*file = (.+)\n/)?.[1]?.trim();
  if (!line || !file) return undefined;
  const shown = relative(process.cwd(), file).split(sep).join('/');
  const what = raw
    .split('\n')
    .filter((l) => /^(Original Line|Error when|Expected Number|Actual Number)/.test(l.trim()));
  return [
    `${raw.split(':')[0]}: CSV file ${shown.startsWith('..') ? file : shown}:${line} cannot be read`,
    ...what,
  ].join('\n');
}

/** DuckDB's error text without its statement-relative "LINE n:" excerpt. */
export function sqlMessage(error: unknown): string {
  const raw = (error instanceof Error ? error.message : String(error)).replace(/^Failed to extract statements: /, '');
  return csvMessage(raw) ?? raw.split(/\n\s*LINE \d+:/)[0].trim();
}

/** Builds the StepError for a statement that DuckDB rejected. */
export function locateSqlError(error: unknown, file: RenderedFile, chunk: SqlChunk): StepError {
  const raw = (error instanceof Error ? error.message : String(error)).replace(/^Failed to extract statements: /, '');
  const head = sqlMessage(error);
  const relative = Number((error as { line?: number }).line ?? raw.match(/LINE (\d+):/)?.[1] ?? 0); // a cluster's error: its line in the statement
  const chunkLine = lineColAt(file.sql, chunk.offset).line;
  const compiledLine = relative > 0 ? chunkLine + relative - 1 : lineColAt(file.sql, chunk.start).line;
  return {
    message: head,
    file: file.file,
    line: file.lineMap[compiledLine - 1] ?? compiledLine,
    compiled: file.compiled,
    compiledLine,
    statement: excerpt(file, chunk, compiledLine),
    hint: hintFor(head),
  };
}
