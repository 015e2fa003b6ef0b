// How a step's writes stay invisible until it commits on Spark, which has no multi-statement transactions:
// every table (or view) a step writes gets a new physical version, `schema.name__ds<token>`; the step's SQL is
// rewritten to write that version, and to read it where the step already wrote it (reads of a name the step
// has not written yet, or is writing in this very statement, see the committed version through the
// reader-facing view `schema.name`). Only the ledger's commit, then the views' switch, make a version
// visible (session.ts). Pure text work on one statement at a time.
import { codeOnly } from '../../sql/split.js';

const NAME = String.raw`((?:\x60[^\x60]+\x60|\w+)(?:\.(?:\x60[^\x60]+\x60|\w+))?)`;
const WRITE = new RegExp(
  String.raw`^\s*(?:(CREATE)\s+(OR\s+REPLACE\s+)?(TEMP(?:ORARY)?\s+)?(TABLE|VIEW)\s+(IF\s+NOT\s+EXISTS\s+)?|(INSERT)\s+(INTO|OVERWRITE)\s+(?:TABLE\s+)?|(DROP)\s+(TABLE|VIEW)\s+(IF\s+EXISTS\s+)?)${NAME}`,
  'i',
);

/** A table name as the catalog knows it: lower case, no backquotes. */
export const canonical = (name: string): string => name.replace(/`/g, '').toLowerCase();

/** What a statement does to the table it writes, if it writes one. */
export type WriteKind = 'create' | 'create-if-missing' | 'insert' | 'overwrite' | 'drop' | 'view';
export interface Write {
  readonly kind: WriteKind;
  readonly name: string; // canonical
  readonly at: number; // where the name starts in the statement
  readonly length: number;
}

/** The table a statement writes (a TEMP view is the session's own, not a write), found from its text. */
export function writeOf(statement: string): Write | undefined {
  const code = codeOnly(statement);
  const m = WRITE.exec(code);
  if (!m || m[3]) return undefined;
  const name = m[11];
  const at = m.index + m[0].length - name.length;
  const kind: WriteKind = m[1]
    ? m[4].toUpperCase() === 'VIEW'
      ? 'view'
      : m[5]
        ? 'create-if-missing'
        : 'create'
    : m[6]
      ? m[7].toUpperCase() === 'OVERWRITE'
        ? 'overwrite'
        : 'insert'
      : 'drop';
  return { kind, name: canonical(name), at, length: name.length };
}

/** Replaces the names in `versions` where they appear as (qualified) identifiers outside strings and comments,
 * except in the range [skipFrom, skipTo). */
export function replaceNames(
  statement: string,
  versions: ReadonlyMap<string, string>,
  skip?: { from: number; to: number },
): string {
  if (versions.size === 0) return statement;
  const code = codeOnly(statement);
  const pattern = new RegExp(String.raw`(?<![\w.\x60])${NAME}(?![\w\x60(])`, 'g');
  let out = '';
  let last = 0;
  for (const m of code.matchAll(pattern)) {
    const version = versions.get(canonical(m[1]));
    if (!version || (skip && m.index >= skip.from && m.index < skip.to)) continue;
    out += statement.slice(last, m.index) + version;
    last = m.index + m[1].length;
  }
  return out + statement.slice(last);
}

/** The physical name of a version: the table's own name with a suffix, in the same schema. */
export const versionName = (name: string, token: string): string => `${name}__ds${token}`;

/** Whether a physical table name is a ducksteps version (for the start-up clean-up). */
export const isVersion = (table: string): boolean => /__ds[0-9a-z]+$/.test(table);

/** The reader-facing name of a version. */
export const nameOfVersion = (physical: string): string => physical.replace(/__ds[0-9a-z]+$/, '');
