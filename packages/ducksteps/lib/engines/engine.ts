// The engine seam: everything a worker does to the warehouse goes through a Session. A second engine is a
// second implementation of this interface (engines/<name>/), registered in engines/open.ts.

export type Row = Record<string, unknown>;

export interface RunResult {
  readonly rowsChanged: number;
}

/** What a query returns: its columns, the first rows (plain JS values) and how many rows there were. */
export interface QueryRows {
  readonly columns: string[];
  readonly rows: Row[];
  readonly total: number;
}

/** One open session on the warehouse, for the worker and for step scripts. */
export interface Session {
  /** Runs one statement; rows changed as the engine reports them (0 for queries). `code` is the statement
   * without leading comments, when the caller has it. */
  run(sql: string, code?: string): Promise<RunResult>;
  /** Runs a query and returns its rows (up to `limit`) as plain JS values. */
  query(sql: string, limit?: number): Promise<QueryRows>;
  /** Parses SQL without running it; throws the parser's error. Returns the statement count. */
  parse(sql: string): Promise<number>;
  /** The engine's progress on the running statement (percentage -1 when it cannot tell). */
  progress(): { percentage: number; rows: number };
  /** The step's transaction: BEGIN, COMMIT, ROLLBACK as the engine does them. */
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Whether an error is a commit conflict with another writer (optimistic concurrency): the transaction is
   * gone and running it again, on the newer snapshot, may succeed. */
  isConflict(error: unknown): boolean;
  close(): void;
  /** Runs a step's gates inside its open transaction. An engine may plan those queries differently: rows the
   * step wrote are not in its table statistics yet (DuckDB counts a table created in the transaction as
   * empty). Optional: without it the gates run as they are. */
  gating?<T>(gates: () => Promise<T>): Promise<T>;
  /** Where the ledger (ducksteps.*) lives when not in this session's own warehouse (Spark: its ledger store);
   * it joins this session's transaction. */
  readonly ledger?: Session;
}

/** How a session is opened. */
export interface OpenOptions {
  readonly readOnly?: boolean;
  /** Told when the open starts waiting for another program's lock on the file (--lock-timeout), and how long
   * it waited once it stops. */
  readonly onLockWait?: LockWaitListener;
}

/** 'waiting': another program holds the file, the open retries; 'done': the wait is over (got it, or gave up). */
export type LockWaitListener = (phase: 'waiting' | 'done', waitedMs: number) => void;
