// Which tables each step writes and reads, found in its rendered SQL (and the SQL strings of its script):
// every kind of write (CREATE, INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY … FROM, ALTER, DROP), the views
// and table macros it defines with what they read, and what reading through them reaches.
import { codeOnly, firstToken, splitStatements } from '../sql/split.js';
import type { Home, StepLineage } from '../model.js';
import { chosen, MEMORY_HOME, NameScope } from './names.js';

export type { StepLineage } from '../model.js';

const NAME = String.raw`((?:"(?:[^"]|"")+"|\w+)(?:\.(?:"(?:[^"]|"")+"|\w+))*)`;
const TEMP = String.raw`(TEMP(?:ORARY)?\s+)?`;
const CREATE = new RegExp(
  String.raw`\bCREATE\s+(?:OR\s+REPLACE\s+)?${TEMP}(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`,
  'gi',
);
const MACRO = new RegExp(
  String.raw`\bCREATE\s+(?:OR\s+REPLACE\s+)?${TEMP}MACRO\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}\s*\([^)]*\)\s*AS\s+TABLE\b`,
  'gi',
);
const VIEW = new RegExp(
  String.raw`^CREATE\s+(?:OR\s+REPLACE\s+)?(?:VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}|MACRO\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}\s*\([^)]*\)\s*AS\s+TABLE\b)`,
  'i',
);
const WRITES = [
  String.raw`\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+${NAME}`,
  String.raw`(?<!\bDO\s+)\bUPDATE\s+(?!SET\b)${NAME}`,
  String.raw`\bDELETE\s+FROM\s+${NAME}`,
  String.raw`\bMERGE\s+INTO\s+${NAME}`,
  String.raw`\bTRUNCATE\s+(?:TABLE\s+)?${NAME}`,
  String.raw`\bCOPY\s+${NAME}(?:\s*\([^)]*\))?\s+FROM\b`,
  String.raw`\bALTER\s+(?:TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?${NAME}`,
  String.raw`\bDROP\s+(?:TABLE|VIEW|MACRO\s+TABLE|MACRO)\s+(?:IF\s+EXISTS\s+)?${NAME}`,
].map((source) => new RegExp(source, 'gi'));
const READ = new RegExp(String.raw`(?<!\bDISTINCT\s+)\b(?:FROM|JOIN|COPY|USING)\s+${NAME}(?![\w."])(?!\s*\()`, 'gi');
const CALL = new RegExp(String.raw`\b(?:FROM|JOIN)\s+${NAME}\s*\(`, 'gi');
const CTE = /\b(\w+)\s+AS\s+(?:(?:NOT\s+)?MATERIALIZED\s+)?\(/gi;
const KEYWORDS = new Set(['select', 'values', 'lateral', 'unnest', 'where', 'as', 'from', 'to', 'set']);

const REJECTS = /\brejects_(?:table|scan)\s*=\s*'(\w+)'/gi; // tables read_csv creates on the side (temporary)
const FILE_READ = /\bread_(?:csv|parquet|json)(?:_auto|_objects)?\(\s*(\[[^\]]*\]|'[^']*')/gi;
const FILE_WRITE = /\bCOPY\b[\s\S]*?\bTO\s+'([^']+)'/gi;

const clean = (name: string) => name.replace(/"/g, '').toLowerCase();
const paths = (literal: string) => [...literal.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
const all = (re: RegExp, text: string, group: number) => [...text.matchAll(re)].map((m) => m[group]);

/** Tables a statement reads as DuckDB's own parser sees them (undefined: it could not tell; scan the text). */
export type ParsedReads = (statement: string) => readonly string[] | undefined;

/** The statements of some SQL texts, each as written (from its first token). */
export const statementsOf = (sqlTexts: readonly string[]) =>
  sqlTexts.flatMap((t) => splitStatements(t).map((c) => c.text.slice(firstToken(c.text, 0)).trim()));

/** Names (one-part, lower-case) of the step's temporary tables, views and macros, and read_csv's rejects tables. */
export function temporaries(code: string, raw: string): Set<string> {
  const created = [...code.matchAll(CREATE), ...code.matchAll(MACRO)].filter((m) => m[1]).map((m) => clean(m[2]));
  return new Set([...created, ...all(REJECTS, raw, 1).map(clean)]);
}

/** The names a statement creates (where the search path's first entry says) and the names it changes (found
 * on the search path, like a read), as written. */
export const createdIn = (code: string) =>
  [...code.matchAll(CREATE), ...code.matchAll(MACRO)].filter((m) => !m[1]).map((m) => m[2]);
export const changedIn = (code: string) => WRITES.flatMap((re) => all(re, code, 1));

/** What decides which table a name the search path could find in several places is: the project's writes
 * (render/names.ts: chosen), or 'definite' — a change is counted only where it has one answer (finding those
 * writes without guessing). */
export type Known = ReadonlySet<string> | 'definite';

/** The tables some names are, read (or, `changes`, written) in the scope's current state. */
export function resolver(scope: NameScope, known?: Known) {
  return (names: readonly string[], changes = false) =>
    names.flatMap((n) => {
      const found = scope.candidates(n);
      return known !== 'definite' ? chosen(found, known) : !changes || found.length === 1 ? found.slice(0, 1) : [];
    });
}

/** What a piece of SQL writes (temporary objects left out), reads (its own CTEs, temp tables and writes left
 * out), calls, and which views and table macros it defines over what, each table named as DuckDB resolves it
 * from `home`, statement by statement (render/names.ts). Reads come from DuckDB's parser where `parsed` can
 * tell (tests cover CTEs, quoting, schemas), else from scanning the statement. */
export function lineageOf(
  sqlTexts: readonly string[],
  parsed: ParsedReads = () => undefined,
  home: Home = MEMORY_HOME,
  known?: Known,
): StepLineage {
  const raw = sqlTexts.join('\n;\n');
  const code = sqlTexts.map((t) => codeOnly(t)).join('\n;\n');
  const scope = new NameScope(home, temporaries(code, raw));
  const ctes = new Set(all(CTE, code, 1).map(clean));
  const own = (n: string) => !ctes.has(clean(n)) && !KEYWORDS.has(clean(n));
  const scanned = (statement: string) => all(READ, codeOnly(statement), 1).filter(own);
  const resolve = resolver(scope, known);
  const writes = new Set<string>();
  const reads = new Set<string>();
  const calls = new Set<string>();
  const views: Record<string, string[]> = {};
  for (const st of statementsOf(sqlTexts)) {
    if (scope.follow(st)) continue;
    const stCode = codeOnly(st);
    for (const name of createdIn(stCode)) {
      const table = scope.target(name);
      if (table) writes.add(table);
    }
    resolve(changedIn(stCode), true).forEach((w) => writes.add(w));
    const read = resolve(parsed(st) ?? scanned(st));
    const called = resolve(all(CALL, stCode, 1));
    read.forEach((r) => reads.add(r));
    called.forEach((c) => calls.add(c));
    const view = stCode.match(VIEW);
    const name = view && scope.target(view[1] ?? view[2]);
    if (name) views[name] = [...new Set([...read, ...called])].sort();
  }
  const filesRead = new Set(all(FILE_READ, raw, 1).flatMap(paths));
  const filesWritten = new Set(all(FILE_WRITE, raw, 1).filter((f) => !f.includes('${'))); // not a script's computed path
  const sorted = (s: Iterable<string>) => [...s].sort();
  return {
    writes: sorted(writes),
    reads: sorted([...reads].filter((n) => !writes.has(n))),
    calls: sorted(calls),
    views,
    filesRead: sorted(filesRead),
    filesWritten: sorted(filesWritten),
  };
}

/** Every view and table macro the steps define, with what each reads (the last definition wins). */
export function projectViews(lineage: Iterable<StepLineage>): Map<string, readonly string[]> {
  const views = new Map<string, readonly string[]>();
  for (const l of lineage) for (const [name, reads] of Object.entries(l.views)) views.set(name, reads);
  return views;
}

/** What reading `reads` (and calling `calls`) reaches: the names themselves, and through each view or table
 * macro, what it reads, transitively. A call that is no table macro (read_csv, range) reaches nothing. */
export function reachedThrough(
  reads: readonly string[],
  calls: readonly string[],
  views: ReadonlyMap<string, readonly string[]>,
): Set<string> {
  const reached = new Set(reads);
  for (const call of calls) if (views.has(call)) reached.add(call);
  for (const name of reached) for (const under of views.get(name) ?? []) reached.add(under);
  return reached;
}
