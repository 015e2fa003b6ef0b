// The one place that talks to @duckdb/node-api: open a database file, run statements, read rows.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LockWaitListener, QueryRows, RunResult, Session } from '../engine.js';
import { searchPath, withHomeNames, withJoinSidesAsWritten } from './gating.js';
import { duckSchema } from './schema.js';

// require(), not import: @duckdb/node-api is CommonJS, and Node's ESM loader re-parses each of its ~60
// re-exported files to find their names; require() loads it in about half the time (~70 ms vs ~130 ms per
// worker start, measured in docs/performance.md).
const { DuckDBInstance, StatementType } = createRequire(import.meta.url)(
  '@duckdb/node-api',
) as typeof import('@duckdb/node-api');
type DuckDBInstance = import('@duckdb/node-api').DuckDBInstance;

export type { Row, RunResult } from '../engine.js';

export interface OpenOptions {
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly readOnly?: boolean;
  /** Keep retrying for this long while another program holds the file lock. */
  readonly lockTimeoutMs?: number;
  readonly onLockWait?: LockWaitListener;
  /** A folder of .duckdb_extension files (DuckDB's extension_directory), for machines that cannot download. */
  readonly extensionDir?: string;
}

const LOCKED = /Could not set lock on file/;

/** Retries `attempt` while another program holds a file lock, for up to `timeoutMs`; `onWait` hears when the
 * wait starts and how long it lasted. */
export async function whileLocked<T>(attempt: () => Promise<T>, timeoutMs = 0, onWait?: LockWaitListener): Promise<T> {
  const started = Date.now();
  let waiting = false;
  try {
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (!LOCKED.test(String((error as Error).message)) || Date.now() >= started + timeoutMs) throw error;
        if (!waiting) onWait?.('waiting', 0);
        waiting = true;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    if (waiting) onWait?.('done', Date.now() - started);
  }
}

const createInstance = (path: string, config: Record<string, string>, options: OpenOptions): Promise<DuckDBInstance> =>
  whileLocked(() => DuckDBInstance.create(path, config), options.lockTimeoutMs, options.onLockWait);

/** DuckDB's settings for a folder of extension files: as its extension_directory when it has DuckDB's layout
 * (<dir>/v1.5.5/<platform>/, what .ci/provision-extensions.sh makes), and never a download attempt (a missing
 * file then fails at once, naming it). A flat folder is loaded file by file (loadFlat). */
function extensionConfig(dir: string): Record<string, string> {
  return existsSync(join(dir, `v${VERSION}`))
    ? { extension_directory: dir, autoinstall_known_extensions: 'false' }
    : { autoinstall_known_extensions: 'false' };
}

/** DuckDB's version, the extension folder's name: v1.5.5. */
const VERSION = '1.5.5';

/** Loads the extensions of a flat folder of .duckdb_extension files (names given, in order). */
export async function loadFlat(db: Database, dir: string, names: readonly string[]): Promise<void> {
  if (existsSync(join(dir, `v${VERSION}`))) return;
  for (const name of names)
    if (existsSync(join(dir, `${name}.duckdb_extension`)))
      await db.run(`LOAD '${join(dir, `${name}.duckdb_extension`).replace(/'/g, "''")}'`);
}

/** A DuckDB session: the engine-neutral Session, plus the @duckdb/node-api connection for step scripts
 * (appenders and other advanced use). */
export interface Database extends Session {
  readonly connection: DuckDBConnection;
}

const plain = (v: unknown): unknown => {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v !== null && typeof v === 'object' && 'toString' in v && !Array.isArray(v)) return String(v);
  return v;
};

const RETURNS_ROWS = /^\s*\(*\s*(SELECT|WITH|FROM|VALUES|TABLE|SUMMARIZE|DESCRIBE|SHOW|PIVOT|UNPIVOT)\b/i;

/** Runs a statement to the end. Queries stream (their rows are never held); everything else runs
 * materialized, which costs DuckDB less per statement (measured: 20k INSERTs 7.3 s vs 10.5 s). */
async function run(connection: DuckDBConnection, sql: string, code = sql): Promise<RunResult> {
  if (RETURNS_ROWS.test(code)) {
    const result = await connection.stream(sql);
    for await (const _chunk of result) void _chunk; // execute fully, keep nothing
    return { rowsChanged: 0 };
  }
  const result = await connection.run(sql);
  if (result.statementType === StatementType.SELECT || result.columnCount !== 1 || result.columnName(0) !== 'Count')
    return { rowsChanged: 0 };
  const chunk = await result.fetchChunk();
  const count = chunk && chunk.rowCount > 0 ? chunk.getColumnValues(0)[0] : 0;
  return { rowsChanged: Number(count ?? 0) };
}

async function query(connection: DuckDBConnection, sql: string, limit = Infinity): Promise<QueryRows> {
  const result = await connection.stream(sql);
  const columns = result.deduplicatedColumnNames();
  const rows: QueryRows['rows'] = [];
  let total = 0;
  for await (const chunk of result) {
    const values = chunk.getRows();
    for (const row of values) {
      if (rows.length < limit) rows.push(Object.fromEntries(columns.map((c, i) => [c, plain(row[i])])));
    }
    total += chunk.rowCount;
  }
  return { columns, rows, total };
}

/** Opens a DuckDB database file (or :memory:) with the build's settings. */
export async function openDatabase(path: string, options: OpenOptions = {}): Promise<Database> {
  const config: Record<string, string> = {};
  if (options.threads) config.threads = String(options.threads);
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  if (options.extensionDir) Object.assign(config, extensionConfig(options.extensionDir));
  const instance = await createInstance(path, config, options);
  const connection = await instance.connect();
  const exec = async (sql: string) => void (await connection.run(sql));
  let home: string | undefined; // the search path as the first transaction began
  return {
    connection,
    run: (sql, code) => run(connection, sql, code),
    query: (sql, limit) => query(connection, sql, limit),
    parse: async (sql) => (await connection.extractStatements(sql)).count,
    progress: () => {
      const p = connection.progress;
      return { percentage: p.percentage, rows: Number(p.rows_processed) };
    },
    begin: async () => {
      home ??= await searchPath(connection);
      await exec('BEGIN TRANSACTION');
    },
    commit: () => exec('COMMIT'),
    rollback: () => exec('ROLLBACK'),
    isConflict: () => false, // one writer at a time: no other transaction to conflict with
    gating: (gates) => withHomeNames(connection, home, () => withJoinSidesAsWritten(connection, gates)),
    schema: duckSchema(
      (sql) => run(connection, sql),
      (sql, limit) => query(connection, sql, limit),
    ),
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
