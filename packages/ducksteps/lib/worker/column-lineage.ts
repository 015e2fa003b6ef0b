// Inside a worker: the column lineage of the project (issue 36). Every step's statements in order, each parsed by
// DuckDB (json_serialize_sql) and resolved against the tables known so far (column-scope.ts); a column list of
// CREATE TABLE is read by creating that table in a scratch database. Temporary tables and CTEs are followed
// through, so each persistent table's columns name persistent tables' columns (or a file's) as their sources.
import { openScratch } from '../engines/open.js';
import type { Session } from '../engines/engine.js';
import type { ColumnsJob } from '../protocol.js';
import type { TableColumns } from '../results.js';
import { sqlString } from '../sql/quote.js';
import { effectOf, type Effect } from './column-statements.js';
import { Scope, type Col, type Known, type Relation } from './column-scope.js';
import { queryPart } from './lineage.js';

interface Entry {
  columns?: Col[];
  origin?: string; // where its columns not known come from (a file read with *), when one place
  incomplete?: string; // why its columns are known only in part
  types: Map<string, string>;
  temp: boolean;
  steps: Set<string>;
  unresolved: string[];
}

/** The tables known so far; a persistent table's column is its own source, a temporary one's are its sources. */
class Catalog implements Known {
  readonly entries = new Map<string, Entry>();
  get(name: string): Entry | undefined {
    return this.entries.get(name) ?? this.entries.get(name.startsWith('main.') ? name.slice(5) : `main.${name}`);
  }
  table(name: string): Relation | undefined {
    const e = this.get(name);
    if (!e) return undefined;
    if (e.temp) return { alias: name, what: name, columns: e.columns, origin: e.origin, incomplete: e.incomplete };
    const columns = e.columns?.map((c) => ({
      name: c.name,
      from: [{ source: `${name}.${c.name}`, how: 'identity' as const }],
    }));
    return { alias: name, what: name, origin: name, columns, incomplete: e.incomplete };
  }
  entry(name: string, temp: boolean): Entry {
    const e = this.get(name) ?? { types: new Map(), temp, steps: new Set(), unresolved: [] };
    this.entries.set(this.get(name) ? [...this.entries].find(([, v]) => v === e)![0] : name, e);
    return e;
  }
}

/** A query's output columns (and where the columns a `*` could not list come from), or undefined when
 * DuckDB's parser does not take it. */
async function columnsOf(
  db: Session,
  catalog: Catalog,
  query: string,
  problems: string[],
): Promise<(Col[] & { open?: string[] }) | undefined> {
  const { rows } = await db.query(`SELECT json_serialize_sql(${sqlString(query)}) AS j`);
  const tree = JSON.parse(String(rows[0].j)) as {
    error?: boolean;
    error_message?: string;
    statements?: Array<{ node: unknown }>;
  };
  if (tree.error || !tree.statements?.[0]) {
    problems.push(`DuckDB's parser does not serialise it (${tree.error_message ?? 'not a query'})`);
    return undefined;
  }
  const scope = new Scope(catalog, problems);
  const cols: Col[] & { open?: string[] } = scope.query(tree.statements[0].node as Record<string, unknown>);
  cols.open = scope.open;
  return cols;
}

/** Columns and types of a CREATE TABLE column list, by creating it in the scratch database. */
async function defined(db: Session, body: string): Promise<Array<{ name: string; type: string }> | undefined> {
  try {
    await db.run(`CREATE OR REPLACE TEMP TABLE ducksteps_columns_probe ${body}`);
    const { rows } = await db.query(
      "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'ducksteps_columns_probe' ORDER BY column_index",
    );
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.data_type) }));
  } catch {
    return undefined;
  }
}

/** Adds `incoming` columns' sources to a table's columns: by position, or by the names given. */
function add(e: Entry, incoming: readonly Col[], names?: readonly string[]): void {
  if (!e.columns) e.columns = incoming.map((c, i) => ({ name: names?.[i] ?? c.name, from: [...c.from] }));
  else
    incoming.forEach((c, i) => {
      const name = names?.[i];
      const at = name ? e.columns!.findIndex((x) => x.name.toLowerCase() === name) : i;
      if (at >= 0 && at < e.columns!.length)
        e.columns![at] = {
          name: e.columns![at].name,
          from: [
            ...e.columns![at].from,
            ...c.from.filter((s) => !e.columns![at].from.some((x) => x.source === s.source)),
          ],
        };
    });
}

/** Applies one statement of `step` to the catalog. */
async function apply(db: Session, catalog: Catalog, step: string, statement: string, effect: Effect): Promise<void> {
  if (effect.kind === 'none') return;
  if (effect.kind === 'drop') return void catalog.entries.delete(effect.table);
  const existed = catalog.get(effect.table) !== undefined;
  const e = catalog.entry(effect.table, 'temp' in effect ? effect.temp : false);
  if (!e.temp) e.steps.add(step);
  const problems: string[] = [];
  if (effect.kind === 'define') {
    if (effect.ifNotExists && existed) return;
    const cols = await defined(db, effect.body);
    if (!cols) problems.push('its column list could not be read');
    e.columns = cols?.map((c) => ({ name: c.name, from: [] }));
    e.types = new Map(cols?.map((c) => [c.name, c.type]));
  } else if (effect.kind === 'create') {
    if (effect.ifNotExists && existed) return;
    const query = queryPart(statement);
    const cols = query ? await columnsOf(db, catalog, query, problems) : undefined;
    e.columns = cols && [...cols];
    e.origin = cols?.open?.length === 1 ? cols.open[0] : undefined;
    e.incomplete = cols?.open?.length ? problems.find((p) => p.startsWith('* over')) : undefined;
    const unnamed = cols?.filter((c) => c.name.startsWith('#')) ?? [];
    if (unnamed.length)
      problems.push(
        `column ${unnamed.map((c) => c.name.slice(1)).join(', ')} of its query has no name of its own (give it an alias)`,
      );
  } else if (effect.kind === 'insert') {
    const query = queryPart(statement);
    const cols = query ? await columnsOf(db, catalog, query, problems) : undefined;
    if (cols) add(e, cols, effect.byName ? cols.map((c) => c.name.toLowerCase()) : effect.columns);
    else if (!query) problems.push('an INSERT without a query (VALUES or DEFAULT VALUES) adds no upstream column');
  } else if (effect.kind === 'update') {
    const cols = await columnsOf(db, catalog, effect.select, problems);
    if (cols) add(e, cols, effect.columns);
  } else if (effect.kind === 'copy') {
    add(
      e,
      (e.columns ?? []).map((c) => ({
        name: c.name,
        from: [{ source: `file:${effect.path}.${c.name}`, how: 'identity' }],
      })),
    );
  }
  for (const p of problems) if (!e.unresolved.includes(`${step}: ${p}`)) e.unresolved.push(`${step}: ${p}`);
}

/** Each persistent table's columns and where each comes from, after every step's statements. */
export async function columnLineage(job: ColumnsJob): Promise<TableColumns[]> {
  const db = await openScratch();
  const catalog = new Catalog();
  try {
    for (const { step, statements } of job.steps) {
      for (const [name, e] of catalog.entries) if (e.temp) catalog.entries.delete(name); // a step's session ends
      for (const statement of statements) await apply(db, catalog, step, statement, effectOf(statement));
    }
  } finally {
    db.close();
  }
  return [...catalog.entries]
    .filter(([, e]) => !e.temp)
    .map(([table, e]) => ({
      table,
      steps: [...e.steps],
      columns: (e.columns ?? []).map((c) => ({ column: c.name, type: e.types.get(c.name), from: c.from })),
      unresolved: e.columns ? e.unresolved : [...e.unresolved, 'its columns are not known'],
    }));
}
