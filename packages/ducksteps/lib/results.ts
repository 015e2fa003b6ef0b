// What running produces, as plain data: statement, step, assertion and publish results, and the build's.
import type { StepStateOutcome } from './changes.js';
import type {
  Assertion,
  Batch,
  Dialect,
  Project,
  ProjectLineage,
  PublishTarget,
  Settings,
  Step,
  StepError,
  StepLineage,
} from './model.js';
import type { UnitTestsReport } from './unit-tests.js';

export type { StepError } from './model.js';

export type StepStatus = 'ok' | 'up to date' | 'failed' | 'skipped' | 'timed out' | 'interrupted';

/** Statuses that let the build go on: a step that ran, or an incremental step with nothing new. */
export const succeeded = (status: string): boolean => status === 'ok' || status === 'up to date';

/** One executed statement, as logged in logs/NN_name.csv. */
export interface StatementResult {
  readonly file: string;
  readonly index: number; // 1-based statement number within the file
  readonly line: number; // source line where the statement starts
  readonly kind: string;
  readonly rowsChanged: number;
  readonly durationMs: number;
  readonly status: 'ok' | 'failed';
  readonly error?: string;
  readonly text: string; // first lines of the statement, for the log
}

/** A table's columns changed by a step (or recorded for the first time): a new version in the ledger
 * (ducksteps.table_schemas), and a row of logs/schema_changes.csv. */
export interface SchemaChange {
  readonly table: string;
  readonly version: number;
  readonly change: string; // created, added discount DECIMAL(14,2), rebuilt by a full refresh: …
  readonly columns: string; // the columns after it: batch_id INTEGER, order_id BIGINT, …
}

/** A long statement's progress, as the worker reports it about every second after 2 s. */
export interface StatementProgress {
  readonly file: string;
  readonly line: number;
  readonly index: number; // statement number within the file
  readonly count: number; // statements in the file
  readonly percentage: number; // -1 when the engine cannot tell
  readonly rows: number;
  readonly elapsedMs: number;
}

/** Where a worker's time went (ms), and its peak memory. */
export interface WorkerStats {
  readonly bootMs: number; // process start to ready: Node start-up and module imports
  readonly waitMs: number; // ready to job received (overlaps the previous step when pre-started)
  readonly receivedAt?: number; // epoch ms when the job arrived: a step's duration counts from here…
  readonly lockWaitMs?: number; // …plus the time it waited for another program's lock on the file (--lock-timeout)
  readonly openMs: number;
  readonly executeMs: number; // script hooks and statements
  readonly commitMs: number;
  readonly closeMs: number; // includes DuckDB's checkpoint at close
  readonly peakRssMb: number;
  readonly cpuMs?: number; // user + system CPU time of the worker process
}

export type AssertionStatus = 'pass' | 'fail' | 'warn' | 'error';

export interface AssertionResult {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly severity: Assertion['severity'];
  readonly status: AssertionStatus;
  readonly failingRows: number;
  readonly durationMs: number;
  readonly compiled: string;
  readonly columns: readonly string[];
  readonly sample: ReadonlyArray<Readonly<Record<string, unknown>>>; // first offending rows
  readonly failuresFile?: string;
  readonly error?: StepError;
  /** What it checked: the rows the batch wrote ('batch') or the whole table (worker/batch-scope.ts). */
  readonly scope?: 'batch' | 'table';
  readonly reused?: string; // not run again: the run that checked it on the same warehouse (reuse/reuse.ts)
  /** A pass or warning on a DuckDB file: what its answer depends on besides the warehouse's tables, as DuckDB
   * binds it (files, table functions, the clock, randomness: worker/bound.ts); [] for nothing. Only an answer
   * with [] is ever reused. */
  readonly outside?: readonly string[];
}

/** Whether a result fails its run (or rolls back the step it gates): an error, or an error-severity failure. */
export const blocks = (r: AssertionResult): boolean =>
  r.status === 'error' || (r.status === 'fail' && r.severity === 'error');

/** What a step's worker answers (or what the driver makes of a dead worker). */
export interface StepOutcome {
  readonly status: StepStatus;
  readonly statements: readonly StatementResult[];
  /** The statements that are committed: all of them after COMMIT; on a failure, those of the files marked
   * no-transaction that ran before it (they commit on their own); none when the worker died. */
  readonly committed: readonly StatementResult[];
  readonly error?: StepError;
  readonly stats?: WorkerStats;
  /** The assertions that gated the step, run inside its transaction before COMMIT. */
  readonly assertions?: readonly AssertionResult[];
  /** How many times the step ran again after a commit conflict with another writer (a DuckLake). */
  readonly retries?: number;
  /** What it recorded about changes: new table versions, its state, the warehouse file's stamp. */
  readonly state?: StepStateOutcome;
  /** Tables whose columns the step changed (or created), with their new schema version. */
  readonly schemaChanges?: readonly SchemaChange[];
}

/** One row of the build summary. */
export interface StepReport {
  readonly step: Step;
  readonly status: StepStatus;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs: number;
  readonly statements: readonly StatementResult[];
  readonly rowsChanged: number;
  readonly error?: StepError;
  readonly stats?: WorkerStats;
  /** Files of a failed step that committed before the failure (no-transaction files); [] otherwise. */
  readonly committedFiles?: readonly string[];
  /** The batch an incremental step processed. */
  readonly batch?: {
    readonly id: number;
    readonly files: number;
    readonly fullRefresh: boolean;
    readonly last?: number;
  };
  /** The assertions that gated it (an error-severity failure among them rolled it back). */
  readonly assertions?: readonly AssertionResult[];
  /** Commit conflicts it ran again after (a DuckLake with other writers). */
  readonly retries?: number;
  /** Why it did not run (`up to date`): no new batch, or nothing it reads changed. */
  readonly reason?: string;
  /** Tables whose columns it changed, committed with it (their new schema versions). */
  readonly schemaChanges?: readonly SchemaChange[];
}

export interface TestsReport {
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly durationMs: number;
  readonly results: readonly AssertionResult[];
  readonly error?: StepError; // the worker died
}

export interface ParseReport {
  readonly statements: number;
  readonly errors: readonly StepError[];
}

export interface PublishOutcome {
  readonly destination: string;
  readonly status: 'ok' | 'failed' | 'skipped' | 'interrupted';
  readonly rows: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly error?: StepError;
  readonly note?: string; // why a target was skipped; which batches it delivered
}

/** The project's lineage (step id -> what it reads and writes) and which assertions gate which step. */
export interface Flow {
  readonly lineage: ProjectLineage;
  readonly gates: ReadonlyMap<string, readonly Assertion[]>;
}

export interface BuildResult {
  readonly runId: string;
  readonly status: 'ok' | 'failed' | 'interrupted';
  readonly steps: readonly StepReport[];
  readonly tests?: TestsReport;
  readonly publish?: readonly PublishOutcome[];
  /** The unit tests run before the steps (a failure stops the run before the warehouse is opened). */
  readonly unit?: UnitTestsReport;
  /** The lineage and gates the run planned with, when it has them (the report draws them). */
  readonly flow?: Flow;
}

/** Which batch an incremental step runs on: the batch, and its place among this run's batches. */
export interface BatchPosition {
  readonly batch: Batch;
  readonly number: number;
  readonly of: number;
  /** Later batches the same run of the step commits with this one (a refresh from the tables it reads). */
  readonly through?: readonly Batch[];
}

/** What a run records for --resume (logs/last_run.json). */
export interface RunStart {
  readonly runId: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly steps: readonly string[];
  readonly selected: readonly string[];
  readonly database: string;
  readonly engine?: Dialect; // --engine (on a cluster, database names the ledger's store)
  readonly command: string;
}

/** How old an input's newest file is, against its "freshness" thresholds (project/freshness.ts). `status`:
 * `pass` (within warnAfter, or no threshold), `warn` (past warnAfter), `error` (past errorAfter: the run stops
 * before its steps unless --ignore-freshness), `none` (no file yet: an error when errorAfter is set). */
export interface InputFreshness {
  readonly input: string;
  readonly glob: string;
  readonly newest?: string; // project-relative path of the newest file (landing or archive)
  readonly arrivedAt?: string; // ISO time the newest file arrived (its modification time)
  readonly ageMs?: number;
  readonly warnAfterMs?: number;
  readonly errorAfterMs?: number;
  readonly status: 'pass' | 'warn' | 'error' | 'none';
  readonly files: number; // files the input holds (loaded and pending)
}

/** Where one column of a table comes from: the upstream columns (`schema.table.column`, or a file's column as
 * `file:path.column`) and how (`identity`: copied; `transformation`: computed from them; `aggregation`). */
export interface ColumnSource {
  readonly column: string;
  readonly type?: string; // its type, where the project's CREATE TABLE says it
  readonly from: ReadonlyArray<{
    readonly source: string;
    readonly how: 'identity' | 'transformation' | 'aggregation';
  }>;
}

/** A table's columns and where each comes from, and what could not be resolved (a step script, a `*` over an
 * unknown schema, dynamic SQL), said instead of guessed. */
export interface TableColumns {
  readonly table: string;
  readonly steps: readonly string[]; // the steps that write it
  readonly columns: readonly ColumnSource[];
  readonly unresolved: readonly string[];
}

/** What a run planned, for the listeners that describe it (the run artifacts, OpenLineage). */
export interface PlannedRun {
  readonly project: Project;
  readonly settings: Settings;
  readonly steps: readonly Step[]; // the selected steps
  readonly assertions: readonly Assertion[]; // every rendered assertion
  readonly targets: readonly PublishTarget[];
  /** What each publish target reads (its rendered query's tables), by its file. */
  readonly targetReads: Readonly<Record<string, readonly string[]>>;
  readonly flow?: Flow;
  readonly columns?: ReadonlyMap<string, TableColumns>;
}

/** What a build tells as it goes (the console prints these; tests listen). */
export interface BuildEvents {
  /** A run starts (the last run's failure files are replaced); `resume`: what --resume needs, when the run runs
   * steps or publishes. */
  onRunStart?(resume?: RunStart): void;
  /** The run is planned (nothing has run yet): what it will run and what the project is made of. */
  onPlanned?(planned: PlannedRun): void;
  /** How old each input's newest file is, before anything runs (a late input may stop the run next). */
  onFreshness?(inputs: readonly InputFreshness[]): void;
  onStepStart?(step: Step, batch?: BatchPosition): void;
  onStepEnd?(report: StepReport): void;
  onHeartbeat?(step: Step, elapsedMs: number): void;
  onProgress?(step: Step, progress: StatementProgress): void;
  onOutput?(step: Step, line: string): void;
  onNotice?(line: string): void;
  /** A job waits for another program to release the warehouse's file (--lock-timeout): never silently. */
  onWaiting?(line: string): void;
  /** Something the user should act on that does not fail the run (a duplicate skipped, a file not archived). */
  onWarning?(line: string): void;
  onTestsStart?(count: number, reused?: number): void; // reused: answers not run again (reuse/reuse.ts)
  onPublishStart?(count: number): void;
  onUnitTestsStart?(count: number): void;
  onUnitTestsEnd?(report: UnitTestsReport): void;
  /** The assertions after the steps ran, or were skipped (status `skipped`): `report` holds their own results
   * (the gated ones came with their steps' onStepEnd). */
  onTestsEnd?(report: TestsReport, startedAt?: Date): void;
  onPublishEnd?(outcomes: readonly PublishOutcome[]): void;
  /** A signal stopped the run: `reason` is SIGINT or SIGTERM. */
  onInterrupted?(reason: string): void;
  /** The run ended with an error of its own, not a step's (a configuration error found on the way, a crash). */
  onRunError?(message: string): void;
  /** The run ended with this result (not after onRunError). */
  onRunEnd?(result: BuildResult): void;
  /** Taking the run lock found a run that died holding it (or, on a lake, one this run took the lock over from). */
  onStaleRun?(runId: string, pid: number, takenOver?: boolean): void;
}
