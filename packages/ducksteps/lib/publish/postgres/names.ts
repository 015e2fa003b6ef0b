// PostgreSQL names of a publish target, as PostgreSQL itself reads them: an unquoted name is folded to lower
// case (ML.Daily is ml.daily), a double-quoted one is kept as written ("My Schema"."Daily"), and a name is at
// most 63 bytes — PostgreSQL cuts a longer one silently, which would make two names the same table. The
// staging table's name is computed to fit too, so it can never be the live table.
import { createHash } from 'node:crypto';
import type { HeaderProblem } from '../kind.js';

/** A table as the catalog stores it, and how the header wrote it. */
export interface PgTable {
  readonly schema: string;
  readonly table: string;
  readonly written: { readonly schema: string; readonly table: string };
}

export const MAX_NAME_BYTES = 63;
/** The publish ledger's table, one per schema (see pg-ledger.ts). */
export const LEDGER_TABLE = 'ducksteps_published';
const STAGING_SUFFIX = '__ducksteps_staging';

const PART = /^(?:"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*))/;

/** One name: quoted (kept) or unquoted (folded to lower case), and what follows it. */
function part(text: string): { name: string; written: string; rest: string } | undefined {
  const m = text.match(PART);
  if (!m) return undefined;
  return {
    name: m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2].toLowerCase(),
    written: m[0],
    rest: text.slice(m[0].length),
  };
}

const bytes = (name: string) => Buffer.byteLength(name, 'utf8');

/** The schema and table of `schema.table`, or the problem with it. */
export function parseTable(destination: string): PgTable | HeaderProblem {
  const notName = {
    message: `"${destination}" is not schema.table`,
    hint: 'e.g. -- publish: postgres ml.daily_revenue; put a name with capitals, spaces or dots in double quotes: "My Schema"."Daily"',
  };
  const schema = part(destination.trim());
  const table = schema && schema.rest.startsWith('.') ? part(schema.rest.slice(1)) : undefined;
  if (!schema || !table || table.rest.trim() !== '') return notName;
  for (const p of [schema, table]) {
    if (bytes(p.name) > MAX_NAME_BYTES) {
      return {
        message: `the name ${p.written} is ${bytes(p.name)} bytes long; PostgreSQL keeps at most ${MAX_NAME_BYTES} and would cut it`,
        hint: 'shorten it to 63 bytes or fewer',
      };
    }
  }
  if (table.name === LEDGER_TABLE)
    return {
      message: `${LEDGER_TABLE} is the name of the publish ledger ducksteps keeps in each schema`,
      hint: 'publish to another table name',
    };
  return { schema: schema.name, table: table.name, written: { schema: schema.written, table: table.written } };
}

/** Whether parseTable found a table (not a problem). */
export const isTable = (value: PgTable | HeaderProblem): value is PgTable => 'table' in value;

/** The name of the staging table beside `table`, at most 63 bytes: the name and a suffix, or, for a long name,
 * its first bytes, a hash of all of it, and the suffix (never equal to the live table's name). */
export function stagingName(table: string): string {
  if (bytes(table) + STAGING_SUFFIX.length <= MAX_NAME_BYTES) return `${table}${STAGING_SUFFIX}`;
  const hash = createHash('sha256').update(table).digest('hex').slice(0, 8);
  let head = '';
  for (const ch of table) {
    if (bytes(head + ch) > MAX_NAME_BYTES - STAGING_SUFFIX.length - hash.length - 1) break;
    head += ch;
  }
  return `${head}_${hash}${STAGING_SUFFIX}`;
}

/** A name as a message shows it: plain when PostgreSQL reads it back unchanged, else double-quoted. */
export const shownName = (name: string) => (/^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`);

/** How a name the header wrote unquoted with capitals is read, for a message about a missing schema. */
export function foldingNote(written: string, name: string): string {
  return !written.startsWith('"') && written !== name
    ? ` (PostgreSQL folds unquoted names to lower case: ${written} is ${name}; write "${written}" in double quotes for a name with capitals)`
    : '';
}
