// The one place that talks to @duckdb/node-api: open a database file, run statements, read rows.
import { createRequire } from 'node:module';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { QueryRows, RunResult, Session } from '../engine.js';

// require(), not import: @duckdb/node-api is CommonJS, and Node's ESM loader re-parses each of its ~60
// re-exported files to find their names; require() loads it in about half the time (~70 ms vs ~130 ms per
// worker start, measured in docs/performance.md).
const { DuckDBInstance, StatementType } = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
type DuckDBInstance = import('@duckdb/node-api').DuckDBInstance;

export type { Row, RunResult } from '../engine.js';

export interface OpenOptions {
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly readOnly?: boolean;
  /** Keep retrying for this long while another program holds the file lock. */
  readonly lockTimeoutMs?: number;
}

const LOCKED = /Could not set lock on file/;

async function createInstance(path: string, config: Record<string, string>, lockTimeoutMs = 0): Promise<DuckDBInstance> {
  const deadline = Date.now() + lockTimeoutMs;
  for (;;) {
    try {
      return await DuckDBInstance.create(path, config);
    } catch (error) {
      if (!LOCKED.test(String((error as Error).message)) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
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
  if (result.statementType === StatementType.SELECT || result.columnCount !== 1 || result.columnName(0) !== 'Count') return { rowsChanged: 0 };
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
  const instance = await createInstance(path, config, options.lockTimeoutMs);
  const connection = await instance.connect();
  const exec = async (sql: string) => void (await connection.run(sql));
  return {
    connection,
    run: (sql, code) => run(connection, sql, code),
    query: (sql, limit) => query(connection, sql, limit),
    parse: async (sql) => (await connection.extractStatements(sql)).count,
    progress: () => { const p = connection.progress; return { percentage: p.percentage, rows: Number(p.rows_processed) }; },
    begin: () => exec('BEGIN TRANSACTION'),
    commit: () => exec('COMMIT'),
    rollback: () => exec('ROLLBACK'),
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
