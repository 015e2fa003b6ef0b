// Inside the worker: which given tables a step left alone. An expected table must be one the step writes — a
// given table compared with its own given rows passes without testing anything (a typo in `expect` would go
// unnoticed). A given table counts as written when the step's SQL writes it (the driver's lineage: an INSERT
// that adds nothing still tests the step) or when it changed (a script's appender, SQL built at run time).
import type { Session } from '../engines/engine.js';
import { sqlString } from '../sql/quote.js';
import type { GivenTable } from '../unit-tests.js';

/** A table name as lineage writes it: lower-case, unquoted, without the default schema. */
export const tableKey = (table: string) =>
  table
    .replace(/"/g, '')
    .toLowerCase()
    .replace(/^main\./, '');

/** A table's rows and identity, as one text (a replaced table gets a new oid). */
async function fingerprint(session: Session, table: string): Promise<string> {
  const parts = tableKey(table).split('.');
  const [schema, name] = parts.length > 1 ? [parts.at(-2)!, parts.at(-1)!] : ['main', parts[0]];
  const { rows } = await session.query(
    `SELECT (SELECT list(table_oid) FROM duckdb_tables() WHERE lower(schema_name) = ${sqlString(schema)} AND lower(table_name) = ${sqlString(name)})::VARCHAR AS oid, count(*) AS n, sum(hash(t))::VARCHAR AS h FROM ${table} AS t`,
  );
  return JSON.stringify(rows[0]);
}

/** The given tables' fingerprints before the step runs. */
export async function givenState(session: Session, given: readonly GivenTable[]): Promise<Map<string, string>> {
  const state = new Map<string, string>();
  for (const g of given) state.set(tableKey(g.table), await fingerprint(session, g.table));
  return state;
}

/** The given tables the step neither writes (`writes`) nor changed since `before`. */
export async function untouchedGiven(
  session: Session,
  before: ReadonlyMap<string, string>,
  writes: readonly string[],
): Promise<Set<string>> {
  const written = new Set(writes.map(tableKey));
  const untouched = new Set<string>();
  for (const [table, print] of before) {
    if (written.has(table)) continue;
    const now = await fingerprint(session, table).catch(() => undefined); // dropped: written
    if (now === print) untouched.add(table);
  }
  return untouched;
}
