// Schema changes on Spark: a table's columns from DESCRIBE TABLE (the step's own version once it wrote one,
// else the committed one its view shows), declared types in Spark's spelling from DESCRIBE QUERY, and a
// migration as a new version of the table built from the one the step sees — so it commits (or not) with the
// step, like every write on Spark, and may put the columns in any order. A failed cast fails that statement
// (Spark's ANSI casts raise).
import type { ColumnChange, QueryRows, RunResult, SchemaSupport, TableColumn } from '../engine.js';

interface Sql {
  run(sql: string): Promise<RunResult>;
  query(sql: string, limit?: number): Promise<QueryRows>;
}

const ident = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const MISSING = /TABLE_OR_VIEW_NOT_FOUND|SCHEMA_NOT_FOUND|NoSuchTable/;

/** The SELECT list that turns the table into its declared columns, in the declared order. */
function projection(changes: readonly ColumnChange[], order: readonly string[]): string {
  const key = (n: string) => n.toLowerCase();
  const added = new Map(changes.flatMap((c) => (c.kind === 'add' ? [[key(c.column), c] as const] : [])));
  const from = new Map(changes.flatMap((c) => (c.kind === 'rename' ? [[key(c.to), c.column] as const] : [])));
  const retyped = new Map(changes.flatMap((c) => (c.kind === 'retype' ? [[key(c.column), c.type] as const] : [])));
  return order
    .map((name) => {
      const add = added.get(key(name));
      if (add?.kind === 'add') return `CAST(${add.default ?? 'NULL'} AS ${add.type}) AS ${ident(name)}`;
      const source = ident(from.get(key(name)) ?? name);
      const type = retyped.get(key(name));
      return `${type ? `CAST(${source} AS ${type})` : source} AS ${ident(name)}`;
    })
    .join(', ');
}

/** Spark's schema support over the step's session (its reads see the step's versions). */
export function sparkSchema(session: Sql): SchemaSupport {
  return {
    reorders: true,
    async columns(table): Promise<TableColumn[] | undefined> {
      let rows: QueryRows['rows'];
      try {
        rows = (await session.query(`DESCRIBE TABLE ${table}`)).rows;
      } catch (error) {
        if (MISSING.test(error instanceof Error ? error.message : String(error))) return undefined;
        throw error;
      }
      const out: TableColumn[] = [];
      for (const r of rows) {
        const name = String(r.col_name ?? '');
        if (name === '' || name.startsWith('#')) break; // partition and detail sections follow
        out.push({ name, type: String(r.data_type), notNull: false });
      }
      return out;
    },
    async spell(types) {
      if (types.length === 0) return [];
      const select = types.map((t, i) => `CAST(NULL AS ${t}) AS c${i}`).join(', ');
      return (await session.query(`DESCRIBE QUERY SELECT ${select}`)).rows.map((r) => String(r.data_type));
    },
    async unconvertible(table, column, type) {
      const c = ident(column);
      const { rows } = await session.query(
        `SELECT CAST(${c} AS STRING) AS v FROM ${table} WHERE ${c} IS NOT NULL AND try_cast(${c} AS ${type}) IS NULL LIMIT 1`,
      );
      return rows.length ? String(rows[0].v) : undefined;
    },
    async nulls(table, column) {
      return Number(
        (await session.query(`SELECT count(*) AS n FROM ${table} WHERE ${ident(column)} IS NULL`)).rows[0].n,
      );
    },
    async migrate(table, changes, order) {
      await session.run(`CREATE OR REPLACE TABLE ${table} AS SELECT ${projection(changes, order)} FROM ${table}`);
    },
  };
}
