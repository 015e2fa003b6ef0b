// Which tables each step creates and reads, found in its rendered SQL (and the SQL strings of its script).
import { codeOnly } from '../render/split.js';

export interface StepLineage {
  readonly creates: readonly string[];
  readonly reads: readonly string[];
}

const NAME = String.raw`((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))*)`;
const CREATE = new RegExp(String.raw`\bCREATE\s+(?:OR\s+REPLACE\s+)?(TEMP(?:ORARY)?\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?${NAME}`, 'gi');
const WRITE = new RegExp(String.raw`\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+${NAME}`, 'gi');
const READ = new RegExp(String.raw`\b(?:FROM|JOIN|COPY)\s+${NAME}(?![\w."])(?!\s*\()`, 'gi');
const CTE = /\b(\w+)\s+AS\s+(?:(?:NOT\s+)?MATERIALIZED\s+)?\(/gi;
const KEYWORDS = new Set(['select', 'values', 'lateral', 'unnest', 'where', 'as', 'from', 'to']);

const clean = (name: string) => name.replace(/"/g, '').toLowerCase();
const all = (re: RegExp, text: string, group: number) => [...text.matchAll(re)].map((m) => m[group]);

/** Tables a piece of SQL creates (temporary ones left out) and reads (its own CTEs and temp tables left out). */
export function lineageOf(sqlTexts: readonly string[]): StepLineage {
  const code = sqlTexts.map((t) => codeOnly(t)).join('\n;\n');
  const temp = new Set([...code.matchAll(CREATE)].filter((m) => m[1]).map((m) => clean(m[2])));
  const creates = new Set([...code.matchAll(CREATE)].filter((m) => !m[1]).map((m) => clean(m[2])));
  for (const name of all(WRITE, code, 1)) creates.add(clean(name));
  const ctes = new Set(all(CTE, code, 1).map(clean));
  const reads = new Set(
    all(READ, code, 1).map(clean).filter((n) => !ctes.has(n) && !temp.has(n) && !creates.has(n) && !KEYWORDS.has(n)),
  );
  return { creates: [...creates].sort(), reads: [...reads].sort() };
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
