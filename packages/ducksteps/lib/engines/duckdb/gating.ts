// How a step's gates run inside its transaction on DuckDB: with join sides as written, and with the names every
// session starts with.
import { sqlString } from '../../sql/quote.js';

/** The part of a @duckdb/node-api connection these need (database.ts is the package's one importer). */
interface Connection {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<{ getRows(): unknown[][] }>;
}

/** Inside the step's transaction DuckDB estimates a table the step created (or filled) from its committed
 * statistics: none, or far too few rows. Its build-side optimizer then hashes the big new table instead of the
 * small one (an ANTI JOIN of 8M new rows against 50K parents: 0.9 s instead of 0.2 s, measured). So the
 * gates run with join sides as written (the right side of a join, the subquery of NOT EXISTS, is hashed), as
 * the assertion macros write them; the user's own setting is restored after. */
export async function withJoinSidesAsWritten<T>(connection: Connection, gates: () => Promise<T>): Promise<T> {
  const read = await connection.runAndReadAll("SELECT current_setting('disabled_optimizers')");
  const before = String(read.getRows()[0]?.[0] ?? '');
  const disabled = [
    ...new Set([
      ...before
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      'build_side_probe_side',
    ]),
  ].join(',');
  await connection.run(`SET disabled_optimizers = '${disabled}'`);
  try {
    return await gates();
  } finally {
    await connection.run(`SET disabled_optimizers = '${before.replaceAll("'", "''")}'`);
  }
}

/** The gates read names as every session starts (and as the assertions after the steps do, and lineage
 * assigns them): a step's USE or SET search_path is undone for them, then restored. `home`: the search path
 * when the step's transaction first began. */
export async function withHomeNames<T>(connection: Connection, home: string | undefined, gates: () => Promise<T>) {
  if (home === undefined) return gates();
  const now = await searchPath(connection);
  if (now === home) return gates();
  await connection.run(`SET search_path = ${sqlString(home)}`);
  try {
    return await gates();
  } finally {
    await connection.run(`SET search_path = ${sqlString(now)}`);
  }
}

/** The session's search path as DuckDB states it ('' for the default, `lake.main` on a lake). */
export const searchPath = async (connection: Connection) =>
  String((await connection.runAndReadAll("SELECT current_setting('search_path')")).getRows()[0]?.[0] ?? '');
