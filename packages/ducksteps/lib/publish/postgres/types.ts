// DuckDB column types -> PostgreSQL column types, and how each column is written to CSV for COPY.
// Lists, structs and maps become jsonb; BLOB becomes bytea (hex); an unknown type is refused, named.
import { sqlIdent } from '../../sql/quote.js';

export interface ColumnPlan {
  readonly name: string;
  readonly pgType: string;
  readonly expression: string; // the DuckDB expression that writes it in a form PostgreSQL reads
}

const SCALARS: Record<string, string> = {
  BOOLEAN: 'boolean',
  TINYINT: 'smallint',
  SMALLINT: 'smallint',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  UTINYINT: 'smallint',
  USMALLINT: 'integer',
  UINTEGER: 'bigint',
  UBIGINT: 'numeric(20,0)',
  HUGEINT: 'numeric(39,0)',
  UHUGEINT: 'numeric(39,0)',
  FLOAT: 'real',
  DOUBLE: 'double precision',
  VARCHAR: 'text',
  DATE: 'date',
  TIME: 'time',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  TIMESTAMP_S: 'timestamp',
  TIMESTAMP_MS: 'timestamp',
  TIMESTAMP_NS: 'timestamp',
  INTERVAL: 'interval',
  UUID: 'uuid',
  JSON: 'jsonb',
};

/** One column: its PostgreSQL type and the expression that exports it; throws naming what cannot map. */
export function planColumn(name: string, duckType: string): ColumnPlan {
  const col = sqlIdent(name);
  const decimal = duckType.match(/^DECIMAL\((\d+),\s*(\d+)\)$/);
  if (decimal) return { name, pgType: `numeric(${decimal[1]},${decimal[2]})`, expression: col };
  if (SCALARS[duckType])
    return { name, pgType: SCALARS[duckType], expression: duckType === 'JSON' ? `CAST(${col} AS VARCHAR)` : col };
  if (duckType === 'BLOB') return { name, pgType: 'bytea', expression: `'\\x' || hex(${col})` };
  if (/\[\d*\]$/.test(duckType) || /^(STRUCT|MAP)\(/.test(duckType))
    return { name, pgType: 'jsonb', expression: `CAST(to_json(${col}) AS VARCHAR)` };
  throw new Error(
    `column ${name} has type ${duckType}, which has no PostgreSQL mapping; cast it in the query (e.g. CAST(${name} AS VARCHAR))`,
  );
}
