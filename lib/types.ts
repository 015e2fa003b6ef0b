// Plain data passed between the stages: discover -> render -> execute -> log -> assert -> report.
import type { StepLineage } from './render/lineage.js';

export type StepStatus = 'ok' | 'up to date' | 'failed' | 'skipped' | 'timed out' | 'interrupted';

/** Statuses that let the build go on: a step that ran, or an incremental step with nothing new. */
export const succeeded = (status: string): boolean => status === 'ok' || status === 'up to date';

/** A numbered step folder found on disk. */
export interface Step {
  readonly number: number;
  readonly id: string; // "03_quality": folder name, log file name, selector
  readonly name: string; // "quality"
  readonly dir: string; // project-relative, e.g. sql/03_quality
  readonly files: readonly string[]; // project-relative .sql paths, in run order
  readonly script?: string; // project-relative steps/NN_name.ts
  readonly incremental: boolean; // a file says -- ducksteps: incremental: it runs once per new batch
}

/** Everything a build needs to know about the project on disk. */
export interface Project {
  readonly root: string; // absolute project directory
  readonly steps: readonly Step[];
  readonly testFiles: readonly string[];
}

/** Settings after merging package.json "ducksteps" defaults with the command line. */
export interface Settings {
  readonly database: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly stepTimeoutMs?: number; // kill a step running longer than this
  readonly lockTimeoutMs?: number; // wait this long for another program to release the database file
  readonly inputs: Readonly<Record<string, string>>; // landing input name -> glob (project-relative)
  readonly archive?: string; // folder that loaded landing files move to (project-relative), if set
  readonly batchSize?: number; // at most this many new files per batch
  readonly fullRefresh?: boolean; // rebuild incremental steps from every file, archived ones included
  readonly files?: readonly string[]; // watch: new files are taken only from this list (the rest wait)
  readonly gates?: boolean; // false: every assertion runs after the steps (package.json "gates": false)
}

/** One landing file as the ledger knows it. */
export interface LandingFile {
  readonly input: string;
  readonly path: string; // project-relative, as matched in the landing folder
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

/** A batch: files processed together, committed by each incremental step on its own. */
export interface Batch {
  readonly id: number;
  readonly fullRefresh: boolean;
  readonly files: readonly LandingFile[];
  readonly isNew: boolean; // not yet in the ledger: the first step to process it records it
  readonly done: readonly string[]; // ids of the steps that already committed it
  readonly location: Readonly<Record<string, string>>; // path -> where the file is now (landing or archive)
}

/** What the worker writes into ducksteps.* inside a step's transaction. */
export interface LedgerWrite {
  readonly step: string;
  readonly runId: string;
  readonly batch: Batch;
}

/** The ledger as read at the start of a batch segment. */
export interface Ledger {
  readonly batches: ReadonlyArray<{ readonly id: number; readonly fullRefresh: boolean }>;
  readonly files: ReadonlyArray<LandingFile & { readonly batchId: number }>;
  readonly stepBatches: ReadonlyArray<{ readonly step: string; readonly batchId: number }>;
}

/** What the driver sends a worker to read the ledger (read-only). */
export interface LedgerJob {
  readonly kind: 'ledger';
  readonly database: string;
  readonly projectRoot: string;
  readonly resultPath: string;
  readonly lockTimeoutMs?: number;
}

/** One SQL file after templating, ready for the worker. */
export interface RenderedFile {
  readonly file: string; // source path (project-relative)
  readonly compiled: string; // logs/compiled/... path (project-relative)
  readonly sql: string;
  readonly lineMap: readonly number[]; // rendered line index (0-based) -> source line (1-based)
  readonly transaction: boolean; // false when the file says -- ducksteps: no-transaction
}

/** What the driver sends the step worker on stdin. */
export interface StepJob {
  readonly kind: 'step';
  readonly database: string;
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly step: { readonly number: number; readonly name: string; readonly id: string };
  readonly vars: Readonly<Record<string, string>>;
  readonly files: readonly RenderedFile[];
  readonly script?: string; // absolute path of the compiled steps/NN_name.ts (logs/compiled/steps/NN_name.js)
  readonly scriptSource?: string; // absolute path of steps/NN_name.ts, for error locations
  readonly projectRoot: string;
  readonly resultPath: string;
  readonly lockTimeoutMs?: number;
  readonly ledger?: LedgerWrite; // an incremental step: record the batch with the data, in one transaction
  readonly assertions?: readonly Assertion[]; // the assertions gating this step: run before COMMIT
  readonly failuresDir?: string; // absolute logs/test_failures, for their offending rows
}

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

/** A step failure located in the user's files. */
export interface StepError {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly compiled?: string;
  readonly compiledLine?: number;
  readonly statement?: string;
  readonly hint?: string;
}

/** Where a worker's time went (ms), and its peak memory. */
export interface WorkerStats {
  readonly bootMs: number; // process start to ready: Node start-up and module imports
  readonly waitMs: number; // ready to job received (overlaps the previous step when pre-started)
  readonly receivedAt?: number; // epoch ms when the job arrived: a step's duration counts from here
  readonly openMs: number;
  readonly executeMs: number; // script hooks and statements
  readonly commitMs: number;
  readonly closeMs: number; // includes DuckDB's checkpoint at close
  readonly peakRssMb: number;
  readonly cpuMs?: number; // user + system CPU time of the worker process
}

/** What the worker answers (or what the driver makes of a dead worker). */
export interface StepOutcome {
  readonly status: StepStatus;
  readonly statements: readonly StatementResult[];
  readonly error?: StepError;
  readonly stats?: WorkerStats;
  /** On failure: how many of `statements` were committed anyway (files marked no-transaction). */
  readonly committedStatements?: number;
  /** The assertions that gated the step, run inside its transaction before COMMIT. */
  readonly assertions?: readonly AssertionResult[];
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
  readonly batch?: { readonly id: number; readonly files: number; readonly fullRefresh: boolean };
  /** The assertions that gated it (an error-severity failure among them rolled it back). */
  readonly assertions?: readonly AssertionResult[];
}

export interface BuildResult {
  readonly runId: string;
  readonly status: 'ok' | 'failed' | 'interrupted';
  readonly steps: readonly StepReport[];
  readonly tests?: TestsReport;
  readonly publish?: readonly PublishOutcome[];
  /** The lineage and gates the run planned with, when it planned gates (the report draws them). */
  readonly flow?: Flow;
}

/** The project's lineage (step id -> what it reads and writes) and which assertions gate which step. */
export interface Flow {
  readonly lineage: ReadonlyMap<string, StepLineage>;
  readonly gates: ReadonlyMap<string, readonly Assertion[]>;
}

export type Severity = 'error' | 'warn';
export type AssertionStatus = 'pass' | 'fail' | 'warn' | 'error';

/** One assertion query from tests/, rendered and located. */
export interface Assertion {
  readonly name: string; // file path under tests/ without .sql, "#n" when a file holds several, or its -- name:
  readonly file: string;
  readonly line: number;
  readonly severity: Severity;
  readonly sql: string;
  readonly compiled: string;
  readonly error?: StepError; // set when the file could not be rendered
  readonly step?: string; // -- step: NN_name — the step it gates, named by hand (else found from the lineage)
}

/** What the driver sends the assertion worker. */
export interface AssertJob {
  readonly kind: 'assert';
  readonly database: string;
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly assertions: readonly Assertion[];
  readonly failuresDir: string; // absolute logs/test_failures
  readonly projectRoot: string;
  readonly resultPath: string;
  readonly lockTimeoutMs?: number;
}

export interface AssertionResult {
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly severity: Severity;
  readonly status: AssertionStatus;
  readonly failingRows: number;
  readonly durationMs: number;
  readonly compiled: string;
  readonly columns: readonly string[];
  readonly sample: ReadonlyArray<Readonly<Record<string, unknown>>>; // first offending rows
  readonly failuresFile?: string;
  readonly error?: StepError;
}

export interface TestsReport {
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly durationMs: number;
  readonly results: readonly AssertionResult[];
  readonly error?: StepError; // the worker died
}

/** What the driver sends the parse-only worker (compile / --dry-run). */
export interface ParseJob {
  readonly kind: 'parse';
  readonly files: readonly RenderedFile[];
  readonly projectRoot: string;
  readonly resultPath: string;
}

export interface ParseReport {
  readonly statements: number;
  readonly errors: readonly StepError[];
}

/** A publish target with its query rendered, as the publish worker gets it. */
export interface PublishTargetJob {
  readonly file: string;
  readonly kind: 'file' | 'postgres';
  readonly destination: string;
  readonly mode: 'replace' | 'append' | 'upsert';
  readonly key: readonly string[];
  readonly urlEnv: string;
  readonly optional: boolean;
  readonly sql: string;
}

/** What the driver sends the publish worker (after the steps and assertions passed). */
export interface PublishJob {
  readonly kind: 'publish';
  readonly database: string;
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly targets: readonly PublishTargetJob[];
  readonly tmpDir: string;
  readonly projectRoot: string;
  readonly resultPath: string;
  readonly lockTimeoutMs?: number;
}

export interface PublishOutcome {
  readonly destination: string;
  readonly status: 'ok' | 'failed' | 'skipped';
  readonly rows: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly error?: StepError;
  readonly note?: string; // why a target was skipped
}

/** What the driver sends a worker to parse statements for the lineage (an in-memory DuckDB, no database). */
export interface LineageJob {
  readonly kind: 'lineage';
  readonly statements: readonly string[];
  readonly projectRoot: string;
  readonly resultPath: string;
}
