// Which tables each step creates and reads, found in its rendered SQL (and the SQL strings of its script).
import { codeOnly, firstToken, splitStatements } from '../sql/split.js';
import type { StepLineage } from '../model.js';

export type { StepLineage } from '../model.js';


const NAME = String.raw`((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))*)`;
const CREATE = new RegExp(String.raw`\bCREATE\s+(?:OR\s+REPLACE\s+)?(TEMP(?:ORARY)?\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`, 'gi');
const WRITE = new RegExp(String.raw`\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+${NAME}`, 'gi');
const READ = new RegExp(String.raw`(?<!\bDISTINCT\s+)\b(?:FROM|JOIN|COPY)\s+${NAME}(?![\w."])(?!\s*\()`, 'gi');
const CTE = /\b(\w+)\s+AS\s+(?:(?:NOT\s+)?MATERIALIZED\s+)?\(/gi;
const KEYWORDS = new Set(['select', 'values', 'lateral', 'unnest', 'where', 'as', 'from', 'to']);

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

/** Tables a piece of SQL creates (temporary ones left out) and reads (its own CTEs and temp tables left out).
 * Reads come from DuckDB's parser where `parsed` can tell (tests/framework covers CTEs, quoting, schemas),
 * else from scanning the statement's text. */
export function lineageOf(sqlTexts: readonly string[], parsed: ParsedReads = () => undefined): StepLineage {
  const raw = sqlTexts.join('\n;\n');
  const code = sqlTexts.map((t) => codeOnly(t)).join('\n;\n');
  const temp = new Set([...code.matchAll(CREATE)].filter((m) => m[1]).map((m) => clean(m[2])));
  for (const name of all(REJECTS, raw, 1)) temp.add(clean(name));
  const creates = new Set([...code.matchAll(CREATE)].filter((m) => !m[1]).map((m) => clean(m[2])));
  for (const name of all(WRITE, code, 1)) creates.add(clean(name));
  const ctes = new Set(all(CTE, code, 1).map(clean));
  const scanned = (statement: string) => all(READ, codeOnly(statement), 1).map(clean).filter((n) => !ctes.has(n) && !KEYWORDS.has(n));
  const reads = new Set(statementsOf(sqlTexts).flatMap((st) => parsed(st)?.map(clean) ?? scanned(st)).filter((n) => !temp.has(n) && !creates.has(n)));
  const filesRead = new Set(all(FILE_READ, raw, 1).flatMap(paths));
  const filesWritten = new Set(all(FILE_WRITE, raw, 1).filter((f) => !f.includes('${'))); // not a script's computed path
  return { creates: [...creates].sort(), reads: [...reads].sort(), filesRead: [...filesRead].sort(), filesWritten: [...filesWritten].sort() };
}

/** SQL held in a script's string literals ('…', "…", `…`), for the same scan. */
export function sqlInScript(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (let i = 0; i < code.length; i++) {
    const quote = code[i];
    if (quote !== "'" && quote !== '"' && quote !== '`') continue;
    let j = i + 1;
    while (j < code.length && code[j] !== quote) j += code[j] === '\\' ? 2 : 1;
    const text = code.slice(i + 1, j);
    if (/\b(CREATE|INSERT|FROM)\b/i.test(text)) found.push(text);
    i = j;
  }
  return found;
}
