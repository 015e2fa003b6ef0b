// The engine seam: everything a worker does to the warehouse goes through a Session. A second engine is a
// second implementation of this interface (engines/<name>/), registered in engines/open.ts.

export type Row = Record<string, unknown>;

/** A failure after the commit point: the step's work is committed (the ledger says so) but what follows it
 * did not finish — on Spark, switching the reader-facing views. The step is not rolled back; `hint` says what
 * finishes it. */
export class AfterCommitError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'AfterCommitError';
  }
}

export interface RunResult {
  readonly rowsChanged: number;
}

/** What a query returns: its columns, the first rows (plain JS values) and how many rows there were. */
export interface QueryRows {
  readonly columns: string[];
  readonly rows: Row[];
  readonly total: number;
}

/** Where a publish kind reads a target's rows: a session, the SQL to read them with there, and how the batches
 * a kind offers reach that SQL ({{ pending_batches }}). */
export interface PublishSource {
  session(): Promise<Session>;
  readonly sql: string;
  offer(ids: readonly number[]): Promise<void>;
}

/** A table's column as the engine has it. */
export interface TableColumn {
  readonly name: string;
  readonly type: string; // the engine's own spelling: DECIMAL(12,2), INTEGER (DuckDB); decimal(12,2), int (Spark)
  readonly notNull: boolean;
}

/** One change to a table's columns, made inside the step's open transaction. */
export type ColumnChange =
  | { readonly kind: 'add'; readonly column: string; readonly type: string; readonly default?: string }
  | { readonly kind: 'drop'; readonly column: string }
  | { readonly kind: 'rename'; readonly column: string; readonly to: string }
  | { readonly kind: 'retype'; readonly column: string; readonly type: string };

/** What schema changes and contracts need of an engine (engines/<name>/schema.ts). `table` is a name as the
 * step wrote it (core.orders_enriched, "My Schema".t). */
export interface SchemaSupport {
  /** The table's columns in order; undefined when there is no such table (a view is none). */
  columns(table: string): Promise<TableColumn[] | undefined>;
  /** Declared types in the spelling columns() reports (throws for a type the engine does not know). */
  spell(types: readonly string[]): Promise<string[]>;
  /** One value of the column, as text, that does not convert to `type` (undefined: every value does). */
  unconvertible(table: string, column: string, type: string): Promise<string | undefined>;
  /** How many rows have NULL in the column. */
  nulls(table: string, column: string): Promise<number>;
  /** Applies the changes; `order` is the declared column order the table must end up in. */
  migrate(table: string, changes: readonly ColumnChange[], order: readonly string[]): Promise<void>;
  /** Whether migrate can put the columns in any order (else a new column can only go last). */
  readonly reorders: boolean;
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
  /** Before a run's first step (the `prepare` job): an engine that needs it puts the warehouse in order (Spark:
   * every name shows its last committed version). Optional. */
  prepare?(): Promise<void>;
  /** Where publish reads a target's rows. Optional: without it, this session itself, with the offered batches
   * in a temporary table of the session (worker/publish.ts). `scratch` opens a local in-memory DuckDB. */
  publishSource?(sql: string, scratch: () => Promise<Session>, tmpDir: string): PublishSource;
  /** Reading and changing tables' columns (schema changes, contracts); without it they are not checked. */
  readonly schema?: SchemaSupport;
  /** Where each commit is a snapshot that names its author (a DuckLake): how change-aware skip tells a write
   * of ducksteps from another program's (worker/state.ts). Optional: without it there is nothing to tell. */
  readonly snapshots?: Snapshots;
}

/** A warehouse's snapshots, as change-aware skip reads and signs them. */
export interface Snapshots {
  /** Names ducksteps the author of the open transaction's commit, with a message. */
  sign(message: string): Promise<void>;
  /** The snapshot the open transaction reads. */
  current(): Promise<number>;
  /** The last snapshot another author committed (-1: none). */
  lastForeign(): Promise<number>;
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
