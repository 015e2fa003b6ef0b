// Schema changes on DuckDB (a file or a lake): a table's columns from DuckDB's catalog (inside the step's
// transaction, so it sees the step's own changes), declared types in DuckDB's spelling, and ALTER TABLE for
// the changes (DDL is transactional: a failure rolls them back with the step). ALTER TABLE adds a column only
// at the end, so this engine does not reorder.
import { nameParts } from '../../sql/column-list.js';
import { sqlIdent as ident, sqlString as text } from '../../sql/quote.js';
import type { ColumnChange, QueryRows, RunResult, SchemaSupport, TableColumn } from '../engine.js';

type Run = (sql: string) => Promise<RunResult>;
type Query = (sql: string, limit?: number) => Promise<QueryRows>;

/** WHERE clause of duckdb_tables()/duckdb_columns() for a name: table, schema.table or db.schema.table. */
function where(table: string): string {
  const parts = nameParts(table);
  const [name, schema, db] = [parts.at(-1), parts.at(-2), parts.at(-3)];
  const is = (column: string, value: string | undefined, fallback: string) =>
    `lower(${column}) = lower(${value === undefined ? fallback : text(value)})`;
  return [
    is('database_name', db, 'current_database()'),
    is('schema_name', schema, 'current_schema()'),
    is('table_name', name, "''"),
  ].join(' AND ');
}

const change = (table: string, c: ColumnChange): string =>
  c.kind === 'add'
    ? `ALTER TABLE ${table} ADD COLUMN ${ident(c.column)} ${c.type}${c.default === undefined ? '' : ` DEFAULT ${c.default}`}`
    : c.kind === 'drop'
      ? `ALTER TABLE ${table} DROP COLUMN ${ident(c.column)}`
      : c.kind === 'rename'
        ? `ALTER TABLE ${table} RENAME COLUMN ${ident(c.column)} TO ${ident(c.to)}`
        : `ALTER TABLE ${table} ALTER COLUMN ${ident(c.column)} SET DATA TYPE ${c.type}`;

/** DuckDB's schema support over a session's run and query. */
export function duckSchema(run: Run, query: Query): SchemaSupport {
  return {
    reorders: false,
    async columns(table): Promise<TableColumn[] | undefined> {
      const found = await query(`SELECT table_oid FROM duckdb_tables() WHERE ${where(table)} AND NOT temporary`);
      if (found.rows.length === 0) return undefined;
      const { rows } = await query(
        `SELECT column_name, data_type, is_nullable FROM duckdb_columns() WHERE table_oid = ${Number(found.rows[0].table_oid)} ORDER BY column_index`,
      );
      return rows.map((r) => ({ name: String(r.column_name), type: String(r.data_type), notNull: !r.is_nullable }));
    },
    async spell(types) {
      if (types.length === 0) return [];
      const { rows } = await query(`DESCRIBE SELECT ${types.map((t, i) => `CAST(NULL AS ${t}) AS c${i}`).join(', ')}`);
      return rows.map((r) => String(r.column_type));
    },
    async unconvertible(table, column, type) {
      const c = ident(column);
      const { rows } = await query(
        `SELECT CAST(${c} AS VARCHAR) AS v FROM ${table} WHERE ${c} IS NOT NULL AND TRY_CAST(${c} AS ${type}) IS NULL LIMIT 1`,
      );
      return rows.length ? String(rows[0].v) : undefined;
    },
    async nulls(table, column) {
      return Number((await query(`SELECT count(*) AS n FROM ${table} WHERE ${ident(column)} IS NULL`)).rows[0].n);
    },
    async migrate(table, changes) {
      for (const c of changes) await run(change(table, c));
    },
  };
}
