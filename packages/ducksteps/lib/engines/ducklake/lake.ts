// The DuckLake engine: an in-memory DuckDB that attaches the lake (catalog + Parquet data path) as `lake` and
// uses it, so every step's SQL runs unchanged and one BEGIN … COMMIT is one lake snapshot over every table
// it wrote and its ledger rows. A catalog's password goes to libpq through PGPASSWORD, never into DuckDB's
// list of databases. Facts this relies on are pinned in tests/framework/ducklake-facts.test.ts.
import type { Warehouse } from '../../model.js';
import { passwordOf, withoutPassword } from '../../warehouse.js';
import { sqlString } from '../../sql/quote.js';
import type { LockWaitListener } from '../engine.js';
import { loadFlat, openDatabase, whileLocked, type Database } from '../duckdb/database.js';

type Lake = Extract<Warehouse, { engine: 'ducklake' }>;

export interface LakeOptions {
  readonly readOnly?: boolean;
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly lockTimeoutMs?: number;
  readonly onLockWait?: LockWaitListener;
}

// a commit that lost to another writer: nothing of it was committed, and running it again may succeed
const CONFLICT = /Transaction conflict|Exceeded the maximum retry count/;

/** The ATTACH statement for a lake (the catalog without its password). */
export const attachLake = (lake: Lake, readOnly = false): string =>
  `ATTACH ${sqlString(`ducklake:${withoutPassword(lake.catalog)}`)} AS lake (DATA_PATH ${sqlString(lake.dataPath)}${readOnly ? ', READ_ONLY' : ''})`;

/** Opens a session on the lake. */
export async function openLake(lake: Lake, options: LakeOptions = {}): Promise<Database> {
  const password = passwordOf(lake.catalog);
  if (password) process.env.PGPASSWORD = password; // this worker's own environment: libpq reads it at connect
  const db = await openDatabase(':memory:', {
    threads: options.threads,
    memoryLimit: options.memoryLimit,
    extensionDir: lake.extensionDir,
  });
  try {
    if (lake.extensionDir)
      await loadFlat(
        db,
        lake.extensionDir,
        lake.catalogKind === 'duckdb' ? ['ducklake'] : ['ducklake', `${lake.catalogKind}_scanner`],
      );
    await whileLocked(() => db.run(attachLake(lake, options.readOnly)), options.lockTimeoutMs, options.onLockWait); // a file catalog takes one process at a time
    await db.run('SET ducklake_max_retry_count = 100'); // DuckLake retries its own catalog writes under contention
    await db.run('USE lake');
  } catch (error) {
    db.close();
    throw error;
  }
  return { ...db, isConflict: (error) => CONFLICT.test(error instanceof Error ? error.message : String(error)) };
}
