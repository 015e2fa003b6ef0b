// Inside a worker: the tables each statement reads, from DuckDB's own parser (json_serialize_sql) — CTEs,
// quoted identifiers, schemas and subqueries as DuckDB understands them. The driver's lineage uses these
// and falls back to scanning the text for statements the parser cannot serialise (DELETE, UPDATE, …).
import { openScratch } from '../engines/open.js';
import type { Session } from '../engines/engine.js';
import type { LineageJob } from '../protocol.js';
import { sqlString } from '../sql/quote.js';

const QUERY_START = /\b(SELECT|WITH|FROM|VALUES)\b/i;

/** The query inside a statement that json_serialize_sql accepts (it serialises SELECT only). */
export function queryPart(statement: string): string | undefined {
  if (/^\(*\s*(SELECT|WITH|FROM|VALUES|TABLE)\b/i.test(statement)) return statement;
  const create = statement.match(/^CREATE\s[\s\S]*?\bAS\s*\(?\s*(?=SELECT|WITH|FROM|VALUES)/i);
  if (create)
    return statement
      .slice(create[0].length)
      .replace(/\)\s*$/, create[0].trimEnd().endsWith('(') ? '' : ')')
      .trim();
  const insert = statement.match(/^INSERT\s+(?:OR\s+\w+\s+)?INTO\s+\S+(?:\s*\([^)]*\))?(?:\s+BY\s+\w+)?\s*/i);
  if (insert && QUERY_START.test(statement.slice(insert[0].length, insert[0].length + 8)))
    return statement.slice(insert[0].length);
  return undefined;
}

/** A name's part as the driver reads it back (render/names.ts): quoted when it holds a dot or a quote. */
const written = (part: unknown) => (/[."]/.test(String(part)) ? `"${String(part).replace(/"/g, '""')}"` : String(part));

/** BASE_TABLE references in a serialised statement, minus the CTEs it defines. */
function tablesIn(tree: unknown): string[] {
  const tables: string[] = [];
  const ctes = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'BASE_TABLE' && typeof n.table_name === 'string')
      tables.push([n.catalog_name, n.schema_name, n.table_name].filter(Boolean).map(written).join('.'));
    const map = (n.cte_map as { map?: Array<{ key: string }> } | undefined)?.map;
    for (const entry of map ?? []) ctes.add(entry.key.toLowerCase());
    Object.values(n).forEach(walk);
  };
  walk(tree);
  return tables.filter((t) => !ctes.has(t.toLowerCase()));
}

async function readsOf(db: Session, statement: string): Promise<string[] | null> {
  const query = queryPart(statement);
  if (!query) return null;
  try {
    const { rows } = await db.query(`SELECT json_serialize_sql(${sqlString(query)}) AS j`);
    const tree = JSON.parse(String(rows[0].j)) as { error?: boolean };
    return tree.error ? null : tablesIn(tree);
  } catch {
    return null;
  }
}

/** For each statement, the tables it reads, or null where DuckDB's parser cannot tell. */
export async function parseReads(job: LineageJob): Promise<Array<string[] | null>> {
  const db = await openScratch();
  try {
    const out: Array<string[] | null> = [];
    for (const statement of job.statements) out.push(await readsOf(db, statement));
    return out;
  } finally {
    db.close();
  }
}
