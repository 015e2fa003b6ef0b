// A Spark query's rows, brought into a local DuckDB table: how publish delivers from a Spark warehouse with
// the same publish kinds (files, PostgreSQL) as from DuckDB. Streamed batch by batch through a JSON-lines
// file, read back by DuckDB with each column's type given (decimals exact, dates and timestamps as typed).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Session } from '../engine.js';
import { sqlIdent, sqlString } from '../../sql/quote.js';
import { rowsOf, type Column, type SparkConnect } from './connect/index.js';

const SIMPLE: Record<string, string> = {
  boolean: 'BOOLEAN',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  int: 'INTEGER',
  bigint: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  string: 'VARCHAR',
  date: 'DATE',
  timestamp: 'TIMESTAMPTZ',
  timestamp_ntz: 'TIMESTAMP',
  binary: 'BLOB',
  void: 'VARCHAR',
};

/** DuckDB's type for a Spark type name (lists, maps and structs as JSON). */
export function duckType(spark: string): string {
  const decimal = spark.match(/^decimal\((\d+),(\d+)\)$/);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  return SIMPLE[spark] ?? 'JSON';
}

/** Runs `sql` on Spark and stores its rows as `table` in the DuckDB session; returns the row count. */
export async function materialize(
  spark: SparkConnect,
  sql: string,
  into: Session,
  table: string,
  tmpDir: string,
): Promise<number> {
  const file = join(tmpDir, `${table}.jsonl`);
  const out = createWriteStream(file);
  let columns: Column[] = [];
  let rows = 0;
  for await (const part of spark.stream(sql)) {
    columns = part.columns;
    for (const row of rowsOf(part.batch)) {
      rows++;
      if (
        !out.write(
          `${JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`,
        )
      )
        await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  const types = columns.map((c) => `${sqlString(c.name)}: ${sqlString(duckType(c.type))}`).join(', ');
  const select =
    rows === 0
      ? `SELECT ${columns.map((c) => `CAST(NULL AS ${duckType(c.type)}) AS ${sqlIdent(c.name)}`).join(', ') || '1 AS "empty"'} WHERE false`
      : `SELECT * FROM read_json(${sqlString(file)}, format = 'newline_delimited', columns = {${types}})`;
  await into.run(`CREATE OR REPLACE TEMP TABLE ${sqlIdent(table)} AS ${select}`);
  return rows;
}
