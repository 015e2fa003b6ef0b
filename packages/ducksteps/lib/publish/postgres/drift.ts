// The destination table of an append or upsert target is a contract (docs/schema-changes.md): its consumers
// rely on its columns, so before rows go in, the query must still give them: a column the query no longer has
// would be written as NULL, a column of another type would be converted by PostgreSQL (12.75 stored in an
// integer column is 13), a column the table lacks cannot be written. Each is refused, naming the column; a
// widening that loses nothing (integer into bigint, real into double precision, numeric into a wider numeric)
// is fine, and so is a column of the table that the query leaves out when it has a default (an id, a loaded_at).
import type { PgSession } from './delivery.js';

interface Column {
  readonly name: string;
  readonly type: string; // format_type(): integer, numeric(12,2), timestamp without time zone, …
  readonly hasDefault: boolean;
}

async function columnsOf(pg: PgSession, qualified: string): Promise<Column[]> {
  const rows = await pg.query(
    `SELECT attname, format_type(atttypid, atttypmod) AS type, (atthasdef OR attidentity <> '' OR attgenerated <> '') AS has_default
    FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [qualified],
  );
  return rows.map((r) => ({ name: String(r.attname), type: String(r.type), hasDefault: Boolean(r.has_default) }));
}

const INTEGER_DIGITS: Record<string, number> = { smallint: 5, integer: 10, bigint: 19 };
const numeric = (type: string) => type.match(/^numeric(?:\((\d+),(\d+)\))?$/);

/** Whether every value of type `from` is stored unchanged in a column of type `to`. */
export function widens(from: string, to: string): boolean {
  if (from === to) return true;
  const order = ['smallint', 'integer', 'bigint'];
  if (order.includes(from) && order.includes(to)) return order.indexOf(from) <= order.indexOf(to);
  const target = numeric(to);
  if (target && INTEGER_DIGITS[from])
    return !target[1] || Number(target[1]) - Number(target[2]) >= INTEGER_DIGITS[from];
  const source = numeric(from);
  if (source && target)
    return (
      !target[1] ||
      (Boolean(source[1]) &&
        Number(target[2]) >= Number(source[2]) &&
        Number(target[1]) - Number(target[2]) >= Number(source[1]) - Number(source[2]))
    );
  return (from === 'real' && to === 'double precision') || (from === 'jsonb' && to === 'json');
}

/** A drift problem: what and what to do. */
type Problem = Error & { hint: string };
const problem = (message: string, hint: string): Problem => Object.assign(new Error(message), { hint });

/** Refuses a query that breaks the live table's contract (its columns); `live` and `staging` are quoted
 * qualified names, `shown` the live table as the header wrote it. */
export async function checkDrift(pg: PgSession, live: string, staging: string, shown: string): Promise<void> {
  const [have, want] = [await columnsOf(pg, live), await columnsOf(pg, staging)];
  const byName = new Map(have.map((c) => [c.name, c]));
  for (const c of want) {
    const existing = byName.get(c.name);
    if (!existing)
      throw problem(
        `the contract of ${shown} is broken: the query has column ${c.name}, which ${shown} does not have`,
        `add it to the table (ALTER TABLE ${shown} ADD COLUMN ${c.name} ${c.type};) or leave it out of the query`,
      );
    if (!widens(c.type, existing.type)) {
      throw problem(
        `the contract of ${shown} is broken: column ${c.name} is ${c.type} in the query but ${existing.type} in ${shown}: PostgreSQL would convert every value (rounding or cutting it)`,
        `cast it in the query if the table's type is meant (CAST(${c.name} AS ${existing.type.toUpperCase()})), or change the table: ALTER TABLE ${shown} ALTER COLUMN ${c.name} TYPE ${c.type};`,
      );
    }
  }
  const wanted = new Set(want.map((c) => c.name));
  const missing = have.find((c) => !wanted.has(c.name) && !c.hasDefault);
  if (missing)
    throw problem(
      `the contract of ${shown} is broken: it has column ${missing.name}, which the query does not produce (its new rows would get NULL there)`,
      `add it to the query (NULL AS ${missing.name} if that is meant), or drop it from the table (ALTER TABLE ${shown} DROP COLUMN ${missing.name};)`,
    );
}
