// Which assertions may check only the rows a batch wrote, as far as their text tells (render side): a chunk that
// is exactly one built-in macro call (its batch-scoped variant is recorded while the file renders), or a
// custom query marked `-- scope: batch` (the file is rendered again with `batch.scoped` true, its
// `batch_rows(table)` narrowing the table). Whether the batch variant runs is the worker's decision
// (worker/batch-scope.ts): it needs the step's statements and the ledger.
import type nunjucks from 'nunjucks';
import { BATCH_TOKEN, batchRows, type MacroCall } from './assertion-macros.js';
import { directive, type Directive } from '../sql/directives.js';
import { splitStatements, type SqlChunk } from '../sql/split.js';
import { renderFile } from './render.js';
import type { TemplateContext } from './template.js';
import type { BatchVariant } from '../model.js';
import { TemplateError } from '../errors.js';

/** The text of a chunk from its first token, without blanks around it. */
const codeOf = (chunk: SqlChunk) => chunk.text.slice(chunk.start - chunk.offset).trim();

/** The batch variant of a chunk that is exactly one macro call's SQL. */
export function macroVariant(chunk: SqlChunk, calls: readonly MacroCall[]): BatchVariant | undefined {
  const code = codeOf(chunk);
  const call = calls.find((c) => c.whole.trim() === code);
  if (!call) return undefined;
  return { sql: call.batch, tables: call.tables, reads: call.reads, custom: false };
}

/** Whether a file says `-- scope:` anywhere (only such files are rendered a second time). */
export const mentionsScope = (source: string) => /^\s*--\s*scope\s*:/im.test(source);

/** The file rendered with `batch.scoped` true: its chunks, and the tables batch_rows() narrowed. */
export function renderScoped(
  env: nunjucks.Environment,
  root: string,
  file: string,
  context: TemplateContext,
): { chunks: SqlChunk[]; sql: string; tables: string[] } {
  const tables: string[] = [];
  const batch = { scoped: true, id: BATCH_TOKEN, tables };
  const rendered = renderFile(env, root, file, { ...context, batch });
  return { chunks: splitStatements(rendered.sql), sql: rendered.sql, tables };
}

/** The `-- scope:` of a chunk: 'batch', or undefined for the whole table; anything else is refused. */
export function scopeOf(directives: readonly Directive[], file: string, line: number): 'batch' | undefined {
  const value = directive(directives, 'scope')?.toLowerCase();
  if (value === undefined || value === 'table') return undefined;
  if (value === 'batch') return 'batch';
  throw new TemplateError(`unknown scope "${value}"`, {
    file,
    line,
    hint: 'use -- scope: batch (check only the rows the batch wrote) or leave the line out (the whole table)',
  });
}

/** The batch variant of a `-- scope: batch` chunk: its text rendered scoped; the tables it narrows are those
 * batch_rows() named in it, or every table the step writes when it names the batch's id itself ('*'). */
export function customVariant(scoped: SqlChunk | undefined, tables: readonly string[]): BatchVariant | undefined {
  if (!scoped) return undefined;
  const sql = scoped.text;
  const named = [...new Set(tables)].filter((t) => sql.includes(batchRows(t)));
  const rest = named.reduce((text, t) => text.split(batchRows(t)).join(''), sql);
  const all = rest.includes(BATCH_TOKEN);
  if (named.length === 0 && !all) return undefined;
  return { sql, tables: all ? ['*', ...named] : named, reads: [], custom: true };
}
