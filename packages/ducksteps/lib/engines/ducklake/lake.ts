// The DuckLake engine: an in-memory DuckDB that attaches the lake (catalog + Parquet data path) as `lake` and
// uses it, so every step's SQL runs unchanged and one BEGIN … COMMIT is one lake snapshot over every table
// it wrote and its ledger rows. A catalog's password goes to DuckDB as a secret of the session, never into its
// list of databases or the environment. Facts this relies on are pinned in tests/framework/ducklake-facts.test.ts.
import type { Warehouse } from '../../model.js';
import { LAKE_ALIAS, passwordOf, withoutPassword } from '../../warehouse.js';
import { sqlString } from '../../sql/quote.js';
import type { LockWaitListener, Snapshots } from '../engine.js';
import { loadFlat, openDatabase, whileLocked, type Database } from '../duckdb/database.js';
import { DATA_PATH_HINT, dataPathProblem } from './errors.js';

type Lake = Extract<Warehouse, { engine: 'ducklake' }>;

export interface LakeOptions {
  readonly readOnly?: boolean;
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly lockTimeoutMs?: number;
  readonly onLockWait?: LockWaitListener;
}

// A COMMIT that lost to another writer: nothing of it was committed, and running the step again may succeed.
// DuckLake retries its catalog write itself on the errors it deems transient (a conflict, a duplicate snapshot
// id — "primary key"/"unique" —, "concurrent" access), up to ducklake_max_retry_count; what it gives up on, or
// meets where it does not retry (its conflict check), reaches the step. Only a failed COMMIT counts: an error of
// the step's own SQL that says "unique" is the step's.
const COMMIT_FAILED = /Failed to commit DuckLake transaction/;
const RETRYABLE =
  /Transaction conflict|Exceeded the maximum retry count|primary key|unique|concurrent|could not serialize|deadlock detected/i;
const isConflict = (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  return COMMIT_FAILED.test(message) && RETRYABLE.test(message);
};

/** DuckLake's own retries of a commit's catalog write: up to 50, 25 ms apart growing by 1.1 (at most ~25 s in
 * all; its defaults, 10 retries from 100 ms by 1.5, gave up under 4 steps at once, and 100 of them could wait for
 * hours). */
const RETRY_SETTINGS = [
  'SET ducklake_max_retry_count = 50',
  'SET ducklake_retry_wait_ms = 25',
  'SET ducklake_retry_backoff = 1.1',
];

/** The session's secret holding the catalog's password, when the --db string has one. */
const SECRET = 'ducksteps_catalog';

/** The ATTACH statement for a lake: the catalog without its password (that comes from the secret). */
export const attachLake = (lake: Lake, readOnly = false, secret = false): string =>
  `ATTACH ${sqlString(`ducklake:${withoutPassword(lake.catalog)}`)} AS ${LAKE_ALIAS} (DATA_PATH ${sqlString(lake.dataPath)}${readOnly ? ', READ_ONLY' : ''}${secret ? `, META_SECRET ${sqlString(SECRET)}` : ''})`;

/** Opens a session on the lake. A password in the catalog string goes to DuckDB as a temporary secret of this
 * session, used for the catalog's connections only: not into the environment (PGPASSWORD would hand it to
 * every other PostgreSQL connection of the worker, a publish target's on another server too). */
export async function openLake(lake: Lake, options: LakeOptions = {}): Promise<Database> {
  const problem = options.readOnly ? undefined : dataPathProblem(lake.dataPath); // before a new lake records it
  if (problem) throw Object.assign(new Error(problem), { hint: DATA_PATH_HINT });
  const password = passwordOf(lake.catalog);
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
    if (password) await db.run(`CREATE TEMPORARY SECRET ${SECRET} (TYPE postgres, PASSWORD ${sqlString(password)})`);
    const attach = attachLake(lake, options.readOnly, password !== undefined);
    await whileLocked(() => db.run(attach), options.lockTimeoutMs, options.onLockWait); // a file catalog takes one process at a time
    for (const sql of RETRY_SETTINGS) await db.run(sql);
    await db.run(`USE ${LAKE_ALIAS}`);
  } catch (error) {
    db.close();
    throw error;
  }
  return { ...db, isConflict, snapshots: snapshotsOf(db) };
}

/** The lake's snapshots: ducksteps signs each commit it makes, so another author's snapshot is a write from
 * outside. */
const snapshotsOf = (db: Database): Snapshots => ({
  sign: async (message) =>
    void (await db.run(`CALL ${LAKE_ALIAS}.set_commit_message('ducksteps', ${sqlString(message)})`)),
  current: async () => Number((await db.query(`SELECT id FROM ${LAKE_ALIAS}.current_snapshot()`)).rows[0].id),
  lastForeign: async () =>
    Number(
      (
        await db.query(
          `SELECT coalesce(max(snapshot_id), -1) AS id FROM ducklake_snapshots(${sqlString(LAKE_ALIAS)}) WHERE author IS DISTINCT FROM 'ducksteps'`,
        )
      ).rows[0].id,
    ),
});
