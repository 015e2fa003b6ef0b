// Per table: row count and an order-independent checksum, the same on every side whatever its column
// order and numeric types: each value is rendered as text (numbers as DOUBLE rounded to 4 decimals), the
// columns in name order, and the rows' hashes summed.
import { createRequire } from 'node:module';

const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api');
const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

/** relations: logical name -> relation in this database; skip: column names left out (bookkeeping). */
export async function checksums(
  db: string,
  relations: Readonly<Record<string, string>>,
  skip: readonly string[] = [],
): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const out: Record<string, string> = {};
  try {
    for (const [name, relation] of Object.entries(relations)) {
      const columns = (await connection.runAndReadAll(`DESCRIBE ${relation}`)).getRowObjectsJS() as Array<{
        column_name: string;
        column_type: string;
      }>;
      const values = columns
        .filter((c) => !skip.includes(c.column_name))
        .sort((a, b) => a.column_name.localeCompare(b.column_name))
        .map((c) => {
          const q = `"${c.column_name}"`;
          return NUMERIC.test(c.column_type)
            ? `CAST(round(CAST(${q} AS DOUBLE), 4) AS VARCHAR)`
            : `CAST(${q} AS VARCHAR)`;
        });
      const [row] = (
        await connection.runAndReadAll(
          `SELECT count(*)::VARCHAR AS n, coalesce(sum(hash(list_value(${values.join(', ')}))), 0)::VARCHAR AS h FROM ${relation}`,
        )
      ).getRowObjectsJS();
      out[name] = `${row.n} rows, ${row.h}`;
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return out;
}
