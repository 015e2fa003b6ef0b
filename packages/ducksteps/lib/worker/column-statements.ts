// Inside a worker: what a statement does to the columns of a table, read from its text where DuckDB's parser
// does not serialise it (json_serialize_sql takes SELECTs only): the target of a CREATE, INSERT, UPDATE, COPY or
// DROP, an INSERT's column list, an UPDATE's assignments turned into the SELECT that computes them.
import { codeOnly } from '../sql/split.js';

const NAME = String.raw`((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))*)`;
export const clean = (name: string) => name.replace(/"/g, '').toLowerCase();

export type Effect =
  | { kind: 'define'; table: string; temp: boolean; ifNotExists: boolean; body: string } // CREATE TABLE t (cols)
  | { kind: 'create'; table: string; temp: boolean; ifNotExists: boolean } // CREATE TABLE/VIEW t AS query
  | { kind: 'insert'; table: string; columns?: string[]; byName: boolean }
  | { kind: 'update'; table: string; select: string; columns: string[] }
  | { kind: 'copy'; table: string; path: string }
  | { kind: 'drop'; table: string }
  | { kind: 'none' };

const DEFINE = new RegExp(
  String.raw`^CREATE\s+(OR\s+REPLACE\s+)?(TEMP(?:ORARY)?\s+)?TABLE\s+(IF\s+NOT\s+EXISTS\s+)?${NAME}\s*\(`,
  'i',
);
const CREATE = new RegExp(
  String.raw`^CREATE\s+(OR\s+REPLACE\s+)?(TEMP(?:ORARY)?\s+)?(?:TABLE|VIEW)\s+(IF\s+NOT\s+EXISTS\s+)?${NAME}\s+AS\b`,
  'i',
);
const INSERT = new RegExp(String.raw`^INSERT\s+(?:OR\s+\w+\s+)?INTO\s+${NAME}(?:\s*\(([^)]*)\))?(\s+BY\s+NAME)?`, 'i');
const UPDATE = new RegExp(String.raw`^UPDATE\s+${NAME}(?:\s+(?:AS\s+)?(?!SET\b)(\w+))?\s+SET\s`, 'i');
const COPY = new RegExp(String.raw`^COPY\s+${NAME}(?:\s*\([^)]*\))?\s+FROM\s+'([^']+)'`, 'i');
const DROP = new RegExp(String.raw`^DROP\s+(?:TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?${NAME}`, 'i');

/** Top-level (outside parentheses) positions in `code` where `re` matches. */
function topLevel(code: string, re: RegExp, from = 0): number[] {
  const out: number[] = [];
  let depth = 0;
  for (let i = from; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')') depth--;
    else if (depth === 0 && re.test(code.slice(i, i + 12)) && (i === 0 || /\W/.test(code[i - 1]))) out.push(i);
  }
  return out;
}

/** UPDATE t SET a = x, b = y [FROM f] [WHERE …] -> SELECT x AS "a", y AS "b" FROM t [, f]. */
function updateAsSelect(statement: string, match: RegExpMatchArray): { select: string; columns: string[] } | undefined {
  const code = codeOnly(statement);
  const start = match[0].length;
  const ends = topLevel(code, /^(FROM|WHERE|RETURNING)\b/i, start);
  const setEnd = ends[0] ?? statement.length;
  const fromEnd = topLevel(code, /^(WHERE|RETURNING)\b/i, start)[0] ?? statement.length;
  const from = /^FROM\b/i.test(code.slice(setEnd)) ? statement.slice(setEnd + 4, fromEnd).trim() : undefined;
  const cuts = [start - 1, ...topLevel(code.slice(0, setEnd), /^,/, start), setEnd];
  const parts = cuts.slice(0, -1).map((c, i) => statement.slice(c + 1, cuts[i + 1]).trim());
  const assignments = parts.map((p) => p.match(/^("[^"]+"|\w+)\s*=\s*([\s\S]+)$/));
  if (assignments.some((a) => !a)) return undefined;
  const columns = assignments.map((a) => clean(a![1]));
  const table = `${match[1]}${match[2] ? ` AS ${match[2]}` : ''}`;
  const list = assignments.map((a, i) => `${a![2]} AS "${columns[i]}"`).join(', ');
  return { select: `SELECT ${list} FROM ${table}${from ? `, ${from}` : ''}`, columns };
}

/** What a statement (as written, from its first token) does to a table's columns. */
export function effectOf(statement: string): Effect {
  const code = codeOnly(statement);
  let m: RegExpMatchArray | null;
  if ((m = code.match(CREATE)))
    return { kind: 'create', table: clean(m[4]), temp: Boolean(m[2]), ifNotExists: Boolean(m[3]) };
  if ((m = code.match(DEFINE)))
    return {
      kind: 'define',
      table: clean(m[4]),
      temp: Boolean(m[2]),
      ifNotExists: Boolean(m[3]),
      body: statement.slice(m[0].length - 1),
    };
  if ((m = code.match(INSERT)))
    return {
      kind: 'insert',
      table: clean(m[1]),
      columns: m[2]?.split(',').map((c) => clean(c.trim())),
      byName: Boolean(m[3]),
    };
  if ((m = code.match(UPDATE))) {
    const u = updateAsSelect(statement, m);
    return u ? { kind: 'update', table: clean(m[1]), ...u } : { kind: 'none' };
  }
  if ((m = statement.match(COPY))) return { kind: 'copy', table: clean(m[1]), path: m[2] };
  if ((m = code.match(DROP))) return { kind: 'drop', table: clean(m[1]) };
  return { kind: 'none' };
}
