// A table declared with a column list: `CREATE TABLE [IF NOT EXISTS] schema.t (col TYPE [NOT NULL] [DEFAULT x],
// …)`, read from the statement's text — its name, its columns (name, type as written, NOT NULL, DEFAULT) and
// whether a comment in it says `-- contract: true`. What schema changes compare with the warehouse's table.
import { directive, readDirectives } from './directives.js';
import { codeOnly } from './split.js';

/** One declared column; `type` as written (the engine spells it its own way: engines/…/schema.ts). */
export interface DeclaredColumn {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
  readonly default?: string;
}

export interface TableDeclaration {
  readonly table: string; // lower case, unquoted: core.orders_enriched
  readonly name: string; // as written: core."Orders"
  readonly ifNotExists: boolean;
  readonly columns: readonly DeclaredColumn[];
  readonly contract: boolean; // a comment in the statement says -- contract: true
}

const NAME = String.raw`((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+)){0,2})`;
const HEAD = new RegExp(String.raw`^\s*CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?${NAME}\s*\(`, 'i');
const TABLE_CONSTRAINT = /^(CONSTRAINT|PRIMARY\s+KEY|UNIQUE|CHECK|FOREIGN\s+KEY)\b/i;
const COLUMN_END =
  /\s(NOT\s+NULL|NULL|DEFAULT|PRIMARY\s+KEY|UNIQUE|CHECK|REFERENCES|COLLATE|GENERATED|AS|CONSTRAINT|USING)\b/i;

/** Top-level comma-separated parts of `code[from, to)` as [start, end) ranges (parentheses nest). */
function parts(code: string, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')') depth--;
    else if (code[i] === ',' && depth === 0) {
      out.push([start, i]);
      start = i + 1;
    }
  }
  out.push([start, to]);
  return out;
}

/** Where the parenthesis opened at `open` closes, or -1. */
function closing(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** `code` with everything inside parentheses blanked, so keywords are found at the top level only. */
const topLevel = (code: string) => code.replace(/\([^()]*\)/g, (m) => ' '.repeat(m.length));
const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
export const unquote = (name: string): string => name.replace(/"/g, '');

/** The parts of a qualified name, unquoted: core."My T" -> ['core', 'My T']. */
export const nameParts = (name: string): string[] =>
  [...name.matchAll(/"([^"]+)"|([^."\s]+)/g)].map((m) => m[1] ?? m[2]);

/** One column definition (`text`: as written, `code`: the same with strings and comments blanked). */
function column(text: string, code: string): DeclaredColumn | undefined {
  const lead = code.length - code.trimStart().length;
  const name = code.slice(lead).match(/^("[^"]+"|\w+)/)?.[1];
  if (!name) return undefined;
  const rest = lead + name.length;
  let shape = code.slice(rest);
  for (let prev = ''; prev !== shape;) [prev, shape] = [shape, topLevel(shape)];
  const end = shape.search(COLUMN_END);
  const type = flat(text.slice(rest, end < 0 ? undefined : rest + end));
  const constraints = end < 0 ? '' : shape.slice(end);
  const dflt = constraints.match(/\bDEFAULT\s/i);
  const after = dflt ? end + dflt.index! + dflt[0].length : -1;
  const stop = after < 0 ? -1 : shape.slice(after).search(COLUMN_END);
  return {
    name: unquote(name),
    type,
    notNull: /\b(NOT\s+NULL|PRIMARY\s+KEY)\b/i.test(constraints),
    ...(after < 0 ? {} : { default: flat(text.slice(rest + after, stop < 0 ? undefined : rest + after + stop)) }),
  };
}

/** The declaration a statement makes, if it creates a (non-temporary) table with a column list. */
export function declarationOf(statement: string): TableDeclaration | undefined {
  const code = codeOnly(statement);
  const head = HEAD.exec(code);
  if (!head) return undefined;
  const open = head.index + head[0].length - 1;
  const close = closing(code, open);
  if (close < 0 || /^\s*AS\b/i.test(code.slice(close + 1))) return undefined; // CREATE TABLE t (a, b) AS SELECT …
  const keys = new Set<string>();
  const columns: DeclaredColumn[] = [];
  for (const [from, to] of parts(code, open + 1, close)) {
    const piece = code.slice(from, to).trim();
    const key = piece.match(/^PRIMARY\s+KEY\s*\(([^)]*)\)/i);
    if (key) key[1].split(',').forEach((k) => keys.add(unquote(k.trim()).toLowerCase()));
    if (TABLE_CONSTRAINT.test(piece)) continue;
    const c = column(statement.slice(from, to), code.slice(from, to));
    if (c) columns.push(c);
  }
  return {
    table: unquote(head[2]).toLowerCase(),
    name: head[2],
    ifNotExists: Boolean(head[1]),
    columns: columns.map((c) => (keys.has(c.name.toLowerCase()) ? { ...c, notNull: true } : c)),
    contract: /^(true|yes|on)$/i.test(directive(readDirectives(statement), 'contract') ?? ''),
  };
}
