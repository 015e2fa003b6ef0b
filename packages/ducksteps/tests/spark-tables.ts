// Comparing a warehouse's tables across engines, for the Spark tests: per table its row count and an
// order-independent checksum of its rows (each row's values as text, hashed, the hashes summed), read from a
// Spark cluster (through the Connect client) or a DuckDB file. Values are compared as the two clients give them
// (decimals as exact text, dates as YYYY-MM-DD, integers and doubles as numbers), so a BIGINT on one side equals
// a HUGEINT holding the same number on the other.
import { createHash } from 'node:crypto';
import { rowsOf, SparkConnect } from '../lib/engines/spark/connect/index.js';
import { EXAMPLE_TABLES, query } from './helpers.js';

export { EXAMPLE_TABLES };

/** The schemas the example builds on a cluster (a test file building it leases them). */
export const EXAMPLE_SCHEMAS = [...new Set(EXAMPLE_TABLES.map((table) => table.split('.')[0]))];

/** Columns that differ by nature between the engines: the CSV reader's own message for a malformed line. */
export const NOT_COMPARED = { 'raw.orders_malformed': ['error_message'] };

/** What depends on how the days were split into batches (the batch's id, a line's position in its batch's scan)
 * is left out too when a day-by-day build is compared with one full build. */
export const BUSINESS = { '*': ['batch_id', 'source_row'], 'raw.orders_malformed': ['batch_id', 'error_message'] };

/** Every table equal. */
export const ALL_EQUAL = Object.fromEntries(EXAMPLE_TABLES.map((table) => [table, 'equal']));

/** A table's row count, checksum, and a few of its rows as text (to show what differs). */
export interface Digest {
  readonly rows: number;
  readonly checksum: string;
  readonly sample: ReadonlySet<string>;
}

const text = (v: unknown): string =>
  v === null || v === undefined ? '∅' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** Digests rows given as objects, leaving out the `skip` columns. */
export function digest(rows: Iterable<Record<string, unknown>>, skip: readonly string[] = []): Digest {
  let sum = 0n;
  let count = 0;
  const sample = new Set<string>();
  for (const row of rows) {
    const line = Object.entries(row)
      .filter(([k]) => !skip.includes(k))
      .map(([k, v]) => `${k}=${text(v)}`)
      .join('|');
    sum = (sum + BigInt(`0x${createHash('sha256').update(line).digest('hex').slice(0, 15)}`)) % 2n ** 64n;
    count++;
    if (sample.size < 5000) sample.add(line);
  }
  return { rows: count, checksum: sum.toString(16), sample };
}

/** Digests of tables on a Spark cluster (rows streamed batch by batch). */
export async function sparkDigests(
  url: string,
  tables: readonly string[],
  skip: Readonly<Record<string, readonly string[]>> = {},
): Promise<Record<string, Digest>> {
  const spark = await SparkConnect.connect(url, { userAgent: 'ducksteps-tests' });
  try {
    const out: Record<string, Digest> = {};
    for (const table of tables) {
      const rows: Record<string, unknown>[] = [];
      for await (const part of spark.stream(`SELECT * FROM ${table}`)) rows.push(...rowsOf(part.batch));
      out[table] = digest(rows, skip[table] ?? skip['*'] ?? []);
    }
    return out;
  } finally {
    await spark.close();
  }
}

/** Digests of tables in a DuckDB file. */
export async function duckDigests(
  db: string,
  tables: readonly string[],
  skip: Readonly<Record<string, readonly string[]>> = {},
): Promise<Record<string, Digest>> {
  const out: Record<string, Digest> = {};
  for (const table of tables)
    out[table] = digest(await query(db, `SELECT * FROM ${table}`), skip[table] ?? skip['*'] ?? []);
  return out;
}

/** Per table: equal, or what differs (counts, and a few rows only one side has). */
export function differences(a: Record<string, Digest>, b: Record<string, Digest>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(a).map((table) => {
      const [x, y] = [a[table], b[table]];
      if (x.rows === y.rows && x.checksum === y.checksum) return [table, 'equal'];
      const only = (p: Digest, q: Digest) =>
        [...p.sample]
          .filter((r) => !q.sample.has(r))
          .slice(0, 3)
          .join('\n    ');
      return [table, `${x.rows} vs ${y.rows} rows; only left:\n    ${only(x, y)}\n  only right:\n    ${only(y, x)}`];
    }),
  );
}
