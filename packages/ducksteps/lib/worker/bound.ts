// Inside the worker: what a query's answer depends on besides the warehouse's own tables, as DuckDB binds it
// (json_serialize_plan: views and macros expanded, `FROM 'file.csv'` resolved to its reader) — the table
// functions it calls (a file, a glob, the catalog), the functions whose result can change while the tables do
// not (the clock, randomness, settings), samples, tables of another or the temporary catalog. A pass that
// depends on none of these holds as long as the warehouse file is unchanged (reuse/reuse.ts); anything DuckDB
// cannot plan or serialise counts as outside, so the assertion runs every time.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from '../engines/engine.js';
import { sqlString } from '../sql/quote.js';

/** Table functions that read nothing but their arguments or the warehouse's own tables. */
const INSIDE_SCANS = new Set(['seq_scan', 'range', 'generate_series', 'unnest']);
/** DuckDB 1.5.5 calls these CONSISTENT, yet they read the clock or the session. */
const UNSTABLE = new Set(['current_localtimestamp', 'current_localtime', 'current_setting', 'getvariable']);

/** Per session: the functions DuckDB says always give the same result for the same arguments. */
const stableOf = new WeakMap<Session, Promise<Set<string>>>();

/** Listing DuckDB's functions takes ~0.2 s, a cost every step with gates would pay: the list is kept in
 * `cacheDir` (the project's logs/compiled), per DuckDB version and set of loaded extensions (what it depends on). */
async function listStable(session: Session, cacheDir: string): Promise<Set<string>> {
  const { rows } = await session.query(
    'SELECT version() AS v, (SELECT list(extension_name ORDER BY extension_name) FROM duckdb_extensions() WHERE loaded) AS e',
  );
  const key = createHash('sha256')
    .update(`${String(rows[0].v)}|${String(rows[0].e)}`)
    .digest('hex')
    .slice(0, 16);
  const file = join(cacheDir, `duckdb-consistent-functions-${key}.json`);
  try {
    return new Set(JSON.parse(readFileSync(file, 'utf8')) as string[]);
  } catch {
    // not listed yet (or unreadable): list them
  }
  const listed = await session.query(
    "SELECT DISTINCT function_name AS f FROM duckdb_functions() WHERE function_type IN ('scalar', 'aggregate') AND stability = 'CONSISTENT'",
  );
  const names = listed.rows.map((r) => String(r.f));
  try {
    const temporary = `${file}.${process.pid}`;
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(temporary, JSON.stringify(names));
    renameSync(temporary, file);
  } catch {
    // not kept: the next worker lists them again
  }
  return new Set(names);
}

function stableFunctions(session: Session, cacheDir: string): Promise<Set<string>> {
  let stable = stableOf.get(session);
  if (!stable) {
    stable = listStable(session, cacheDir).then((names) => new Set([...names].filter((f) => !UNSTABLE.has(f))));
    stableOf.set(session, stable);
  }
  return stable;
}

type PlanNode = Record<string, unknown>;

/** Everything outside the warehouse one plan reaches, named (`read_csv`, `now()`, `a sample`, `temp.t`). */
function outsideIn(plan: unknown, stable: ReadonlySet<string>, database: string): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as PlanNode;
    if (n.type === 'LOGICAL_GET') {
      const data = n.function_data as { catalog?: string; schema?: string; table?: string } | undefined;
      if (!INSIDE_SCANS.has(String(n.name))) found.add(String(n.name));
      else if (n.name === 'seq_scan' && data?.catalog !== database)
        found.add(`${data?.catalog}.${data?.schema}.${data?.table}`);
    }
    const fn = n.expression_class === 'BOUND_FUNCTION' || n.expression_class === 'BOUND_AGGREGATE';
    const internal = n.catalog_name === '' && n.name === 'error'; // the planner's check of a scalar subquery
    if (fn && !internal && !stable.has(String(n.name))) found.add(`${String(n.name)}()`);
    if (n.sample_options) found.add('a sample');
    Object.values(n).forEach(walk);
  };
  walk(plan);
  return found;
}

/** What `sql`'s answer depends on besides the tables of the warehouse: [] for nothing. Never throws.
 * `cacheDir`: where the list of DuckDB's consistent functions is kept between workers. */
export async function outsideWarehouse(session: Session, sql: string, cacheDir: string): Promise<string[]> {
  try {
    const stable = await stableFunctions(session, cacheDir);
    const { rows } = await session.query(
      `SELECT json_serialize_plan(${sqlString(sql)}) AS plan, current_database() AS db`,
    );
    const plan = JSON.parse(String(rows[0].plan)) as { error?: boolean; error_message?: string; plans?: unknown };
    if (plan.error) return [`what DuckDB cannot serialise (${plan.error_message})`];
    return [...outsideIn(plan.plans, stable, String(rows[0].db))].sort();
  } catch (error) {
    return [`what DuckDB cannot plan (${(error as Error).message.split('\n')[0]})`];
  }
}
