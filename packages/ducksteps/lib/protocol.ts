// The driver <-> worker protocol, imported by both sides (docs/internals.md). The driver writes one
// Envelope to a worker's stdin; the worker answers with one JSON file at `resultPath` and talks over IPC
// with WorkerMessages: ready -> (job) -> (progress | delivered)* -> answered -> exit. Every job kind maps to its answer
// type, so a caller asking for the wrong answer, or a worker missing a handler, does not compile.
import type { RecordedState, StepStateJob } from './changes.js';
import type {
  Assertion,
  Batch,
  Connection,
  Contract,
  Ledger,
  PublishTarget,
  RenderedFile,
  SchemaPolicy,
  StepError,
} from './model.js';
import type {
  ParseReport,
  PublishOutcome,
  StatementProgress,
  StepOutcome,
  TableColumns,
  TestsReport,
} from './results.js';
import type { UnitTest, UnitTestResult } from './unit-tests.js';

export type { StatementProgress } from './results.js';

/** What the worker writes into ducksteps.* inside a step's transaction. */
export interface LedgerWrite {
  readonly step: string;
  readonly runId: string;
  readonly batch: Batch;
}

/** The run lock's fence, where the lock lives in PostgreSQL (a lake's): the token the run took the lock with.
 * Each step's transaction checks that the lake still names this token and writes a row beside it, so a run
 * whose lock another run took over cannot commit (worker/fence.ts). */
export interface Fence {
  readonly pipeline: string;
  readonly token: string;
  readonly runId: string;
  readonly host: string;
  readonly pid: number;
}

/** Run one step: its statements (and script hooks), ledger rows and gates in one transaction. */
export interface StepJob {
  readonly kind: 'step';
  readonly connection: Connection;
  readonly step: { readonly number: number; readonly name: string; readonly id: string };
  readonly vars: Readonly<Record<string, string>>;
  readonly files: readonly RenderedFile[];
  readonly script?: string; // absolute path of the compiled steps/NN_name.ts (logs/compiled/steps/NN_name.js)
  readonly scriptSource?: string; // absolute path of steps/NN_name.ts, for error locations
  readonly ledger?: LedgerWrite; // an incremental step: record the batch with the data, in one transaction
  readonly gates?: readonly Assertion[]; // the assertions gating this step: run before COMMIT
  readonly recheck?: boolean; // --recheck: every gate checks the whole table (worker/batch-scope.ts)
  readonly fence?: Fence; // the run lock's token, checked and written by each of the step's transactions
  readonly failuresDir: string; // absolute logs/test_failures, for their offending rows
  readonly state?: StepStateJob; // what it records about changes, in its transaction (changes.ts)
  readonly runId?: string; // recorded with the tables' schema versions
  /** Further batches committed in the same transaction (a step's full refresh from the tables it reads: its
   * table is never seen, nor gated, half rebuilt). */
  readonly more?: ReadonlyArray<{ readonly files: readonly RenderedFile[]; readonly ledger: LedgerWrite }>;
  /** What to do when a table the step declares differs from the warehouse's (default fail). */
  readonly onSchemaChange?: SchemaPolicy;
  /** Contracts from the step's contract.yaml, checked before COMMIT (-- contract: true ones are found in its SQL). */
  readonly contracts?: readonly Contract[];
  /** Table -> the steps and publish targets that read it: who relies on a contract. */
  readonly readers?: Readonly<Record<string, readonly string[]>>;
  /** --defer: the tables this step reads that the run does not build, read from the deferred-to target. */
  readonly deferred?: readonly string[];
}

/** Run assertions read-only after the steps. */
export interface AssertJob {
  readonly kind: 'assert';
  readonly connection: Connection;
  readonly assertions: readonly Assertion[];
  readonly failuresDir: string;
}

/** Read the batch ledger (read-only; an absent warehouse is an empty ledger). */
export interface LedgerJob {
  readonly kind: 'ledger';
  readonly connection: Connection;
  /** Also read what was recorded about changes (changes.ts), for this pipeline's steps. */
  readonly state?: { readonly pipeline: string };
}

/** Make the warehouse ready before anything else opens it: attach a DuckLake read-write once, creating its
 * catalog when it is new (workers that attach a new catalog at the same time would race to create it). */
export interface PrepareJob {
  readonly kind: 'prepare';
  readonly connection: Connection;
  readonly fence?: Fence; // the run just took the lock: the lake names its token from now on (a takeover)
}

/** The ledger, or why the warehouse could not be read (another program holds it). */
export type LedgerAnswer = { readonly ledger: Ledger; readonly state?: RecordedState } | { readonly error: StepError };

/** Run read-only queries against the warehouse and return their rows: what a new command needs. */
export interface QueryJob {
  readonly kind: 'query';
  readonly connection: Connection;
  readonly queries: readonly string[];
  readonly limit?: number; // rows kept per query (the total is still counted)
}

export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly total: number;
}

/** The rows of each query, or why the warehouse could not be read. */
export type QueryAnswer = { readonly results: readonly QueryResult[] } | { readonly error: string };

/** What `doctor` asks a worker: DuckDB's version, whether each extension the warehouse needs loads, and (on
 * a cluster) whether the cluster answers. The warehouse itself is not opened (a run may hold it). */
export interface ProbeJob {
  readonly kind: 'probe';
  readonly connection: Connection;
  readonly extensions: readonly string[];
}

export interface ProbeAnswer {
  readonly duckdb: string;
  readonly extensions: ReadonlyArray<{ readonly name: string; readonly error?: string }>;
  readonly cluster?: { readonly version?: string; readonly error?: string };
}

/** Check that statements parse (DuckDB's parser, no warehouse). */
export interface ParseJob {
  readonly kind: 'parse';
  readonly files: readonly RenderedFile[];
}

/** The tables each statement reads, from DuckDB's parser (null where it cannot tell). */
export interface LineageJob {
  readonly kind: 'lineage';
  readonly statements: readonly string[];
}

/** The column lineage of the project: every step's statements (its files rendered), in step order. */
export interface ColumnsJob {
  readonly kind: 'columns';
  readonly steps: ReadonlyArray<{ readonly step: string; readonly statements: readonly string[] }>;
}

/** A publish target with its query rendered. */
export interface PublishTargetJob extends PublishTarget {
  readonly sql: string;
}

/** Deliver the publish targets (the warehouse read-only). */
export interface PublishJob {
  readonly kind: 'publish';
  readonly connection: Connection;
  readonly targets: readonly PublishTargetJob[];
  readonly runId: string;
  /** The project's incremental steps: a batch all of them committed may be offered to a target. */
  readonly batchSteps: readonly string[];
  /** The batches this run committed (what a target without a ledger is offered). */
  readonly runBatches: readonly number[];
  /** publishTimeout: how long one target may take (the PostgreSQL side's lock and statement timeouts). */
  readonly timeoutMs: number;
}

/** One unit test, ready to run: the step as a real run would run it (its files rendered with the test's vars,
 * batch and frozen time, on an in-memory database), unless rendering failed (then the test has an error). */
export interface UnitTestCase {
  readonly test: UnitTest;
  readonly job?: StepJob;
  /** For each given table the project creates with a column list: that CREATE TABLE statement (its types). */
  readonly ddl: Readonly<Record<string, string>>;
  /** `create-test`: the tables whose rows to return after the step (they become the expected rows). */
  readonly capture?: readonly string[];
  /** The tables the step's SQL (and its script's SQL strings) writes, lower-cased (render/lineage.ts): a given
   * table is an expected table only when the step writes it, or changed it. */
  readonly writes?: readonly string[];
}

/** Run unit tests, each in a throwaway in-memory DuckDB in a scratch folder of its own. */
export interface UnitJob {
  readonly kind: 'unit';
  readonly tests: readonly UnitTestCase[];
}

/** Every job kind and its answer. */
export interface JobTypes {
  step: { job: StepJob; answer: StepOutcome };
  assert: { job: AssertJob; answer: TestsReport };
  ledger: { job: LedgerJob; answer: LedgerAnswer };
  prepare: { job: PrepareJob; answer: { readonly error?: string; readonly hint?: string } };
  query: { job: QueryJob; answer: QueryAnswer };
  probe: { job: ProbeJob; answer: ProbeAnswer };
  parse: { job: ParseJob; answer: ParseReport };
  lineage: { job: LineageJob; answer: ReadonlyArray<readonly string[] | null> };
  columns: { job: ColumnsJob; answer: readonly TableColumns[] };
  publish: { job: PublishJob; answer: readonly PublishOutcome[] };
  unit: { job: UnitJob; answer: readonly UnitTestResult[] };
}

export type JobKind = keyof JobTypes;
export type JobOf<K extends JobKind> = JobTypes[K]['job'];
export type AnswerOf<K extends JobKind> = JobTypes[K]['answer'];
export type AnyJob = { [K in JobKind]: JobOf<K> }[JobKind];

/** Compile-time check that each job's `kind` is its key in JobTypes: a mismatch makes the union `boolean`,
 * which does not satisfy `true`, and this line stops compiling. */
type Holds<T extends true> = T;
export type KindsMatch = Holds<{ [K in JobKind]: JobOf<K>['kind'] extends K ? true : false }[JobKind]>;

/** What the driver writes to a worker's stdin. The pool owns the folder of `resultPath` and `tmpDir`. */
export interface Envelope {
  readonly job: AnyJob;
  readonly projectRoot: string; // the worker's working directory
  readonly resultPath: string; // where the worker writes its answer (JSON)
  readonly tmpDir: string; // scratch space for the job (publish stages CSV files here)
}

/** Where a worker is when it runs a job, for its handler. */
export interface JobContext {
  readonly projectRoot: string;
  readonly tmpDir: string;
  readonly bootMs: number; // process start to ready
  readonly waitMs: number; // ready to job received
  readonly receivedAt: number; // epoch ms
}

/** The worker's handler table: a job kind without a handler does not compile. */
export type Handlers = { readonly [K in JobKind]: (job: JobOf<K>, context: JobContext) => Promise<AnswerOf<K>> };

/** What a worker says over IPC. */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'progress'; readonly progress: StatementProgress }
  /** The job waits for another program to release the warehouse's file (--lock-timeout, up to timeoutMs). */
  | { readonly kind: 'waiting'; readonly what: string; readonly timeoutMs: number }
  /** A publish job's target `index` is done: its outcome, known to the driver even if the worker is stopped
   * while it delivers the next one. */
  | { readonly kind: 'delivered'; readonly index: number; readonly outcome: PublishOutcome }
  | { readonly kind: 'answered' };

/** Narrows an IPC message to a WorkerMessage (anything else is ignored). */
export function isWorkerMessage(message: unknown): message is WorkerMessage {
  const kind = (message as { kind?: unknown } | null)?.kind;
  return (
    kind === 'ready' ||
    kind === 'answered' ||
    (kind === 'waiting' && typeof (message as { what?: unknown }).what === 'string') ||
    (kind === 'delivered' && typeof (message as { index?: unknown }).index === 'number') ||
    (kind === 'progress' && typeof (message as { progress?: unknown }).progress === 'object')
  );
}
