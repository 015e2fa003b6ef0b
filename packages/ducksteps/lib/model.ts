// The project model: what a project is on disk and how it is configured, as plain data. Both processes read
// it; nothing here runs anything.
import type { ClusterDialect, Dialect } from './engines/traits.js';

/** A step folder's name: NN_name (2-3 digits, then lower-case letters, digits, _); also its log's name. */
export const STEP_PATTERN = /^(\d{2,3})_([a-z0-9_]+)$/;

/** What a step does when a table it declares (CREATE TABLE … (columns)) differs from the warehouse's:
 * docs/schema-changes.md. */
export type SchemaPolicy = 'fail' | 'append_new_columns' | 'sync_all_columns';
export const SCHEMA_POLICIES: readonly SchemaPolicy[] = ['fail', 'append_new_columns', 'sync_all_columns'];

/** A column a contract promises its readers: its name, type (as written) and whether it is never NULL. */
export interface ContractColumn {
  readonly name: string;
  readonly type: string;
  readonly notNull: boolean;
}

/** A table's columns as a contract (a step folder's contract.yaml, or -- contract: true on its CREATE TABLE). */
export interface Contract {
  readonly table: string; // lower case, unquoted: mart.customer_features
  readonly name: string; // as written, for SQL
  readonly columns: readonly ContractColumn[];
  readonly file: string; // where it is declared (project-relative)
  readonly line: number;
}

/** A numbered step folder found on disk. */
export interface Step {
  readonly number: number;
  readonly id: string; // "03_quality": folder name, log file name, selector
  readonly name: string; // "quality"
  readonly dir: string; // project-relative, e.g. sql/03_quality
  readonly files: readonly string[]; // project-relative .sql paths, in run order
  readonly script?: string; // project-relative steps/NN_name.ts
  readonly incremental: boolean; // a file says -- ducksteps: incremental: it runs once per new batch
  /** A file says -- ducksteps: local: the step never touches the warehouse; it runs on a throwaway in-memory
   * DuckDB whatever the engine (a step that only writes files, like the example's source simulator). */
  readonly local?: boolean;
  /** -- ducksteps: on_schema_change = …, when a file of the step says it (else the project's default). */
  readonly onSchemaChange?: SchemaPolicy;
  /** The contracts of the step's contract.yaml. */
  readonly contracts?: readonly Contract[];
}

/** Everything a build needs to know about the project on disk. */
export interface Project {
  readonly root: string; // absolute project directory
  readonly steps: readonly Step[];
  readonly testFiles: readonly string[];
  /** What discovery found suspicious but legal (a variant file that replaces no file): printed, never fatal. */
  readonly warnings?: readonly string[];
}

/** A warehouse DuckDB opens: a DuckDB file or a DuckLake. */
export type DuckWarehouse =
  | { readonly engine: 'duckdb'; readonly path: string; readonly extensionDir?: string }
  | {
      readonly engine: 'ducklake';
      readonly catalog: string; // DuckDB's ATTACH string after `ducklake:` (a file catalog's path made absolute)
      readonly catalogKind: 'postgres' | 'duckdb' | 'sqlite';
      readonly dataPath: string; // absolute, ends with '/' (or a URL)
      readonly extensionDir?: string;
    };

/** A warehouse on a cluster (engines/traits.ts ClusterTraits): the tables live in the cluster's catalog and
 * `ledger` is the transactional store of the ledger and of which table version each name shows (a DuckDB
 * file, or a DuckLake for several machines). */
export interface ClusterWarehouse {
  readonly engine: ClusterDialect;
  readonly url: string;
  readonly ledger: DuckWarehouse;
}

/** Where the warehouse is and which engine runs the steps on it (absolute paths; lib/warehouse.ts reads it
 * from the settings). `extensionDir`: a folder of .duckdb_extension files for machines that cannot download. */
export type Warehouse = DuckWarehouse | ClusterWarehouse;

/** The SQL dialect steps are written in for an engine (engines/traits.ts): DuckDB's (a file or a lake), or a
 * cluster engine's. */
export type { Dialect };

/** Whether the steps run on a cluster. */
export const onCluster = (warehouse: Warehouse): warehouse is ClusterWarehouse => 'ledger' in warehouse;

/** The dialect of the engine that runs the steps on a warehouse. */
export const dialectOf = (warehouse: Warehouse): Dialect => (onCluster(warehouse) ? warehouse.engine : 'duckdb');

/** Whether several processes may write the warehouse at once: a DuckDB file, and a DuckLake whose catalog is
 * a DuckDB or SQLite file, take one writer at a time; a DuckLake with its catalog in PostgreSQL takes many;
 * a cluster as many as its ledger store. */
export const manyWriters = (warehouse: Warehouse): boolean =>
  onCluster(warehouse)
    ? manyWriters(warehouse.ledger)
    : warehouse.engine === 'ducklake' && warehouse.catalogKind === 'postgres';

/** How a worker opens the warehouse: where, and with which resource settings. */
export interface Connection {
  readonly warehouse: Warehouse;
  /** The pipeline the job works for (project/pipeline.ts): whose rows of the batch ledger it reads and writes. */
  readonly pipeline: string;
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly lockTimeoutMs?: number; // keep retrying this long while another program holds the warehouse
  /** --defer: another target's warehouse, attached read-only (engines/defer.ts); the run's names that it does
   * not build resolve there (worker/defer.ts). */
  readonly defer?: { readonly target: string; readonly running?: string; readonly warehouse: DuckWarehouse };
}

/** Settings after merging package.json "ducksteps" defaults with the command line. */
export interface Settings {
  readonly database: string;
  readonly databaseFromFlag?: boolean; // --db: its folder must exist (else the configured one's is created)
  readonly vars: Readonly<Record<string, string>>;
  readonly threads?: number;
  readonly memoryLimit?: string;
  readonly stepTimeoutMs?: number; // kill a step running longer than this
  readonly publishTimeoutMs?: number; // stop (and roll back) a publish target taking longer than this
  readonly lockTimeoutMs?: number; // wait this long for another program to release the database file
  readonly inputs: Readonly<Record<string, string>>; // landing input name -> glob (project-relative)
  /** Input name -> how old its newest file may get ("inputs"."NAME"."freshness"), for inputs that say. */
  readonly freshness?: Readonly<Record<string, Freshness>>;
  readonly ignoreFreshness?: boolean;
  readonly openlineage?: OpenLineageSettings; // where the run's OpenLineage events go (none: no events) // --ignore-freshness: a late input warns instead of stopping the run
  readonly archive?: string; // folder that loaded landing files move to (project-relative), if set
  readonly batchSize?: number; // at most this many new files per batch
  readonly fullRefresh?: boolean; // rebuild incremental steps from every file, archived ones included
  readonly forgetMissing?: boolean; // --forget-missing: a full refresh may drop loaded files gone from landing and archive
  readonly recheck?: boolean; // --recheck: run every assertion and unit test, none reused (orchestration/reuse.ts)
  readonly duplicates?: 'skip' | 'refuse'; // a new file with a loaded file's content: recorded and not loaded, or refused
  readonly files?: readonly string[]; // watch: new files are taken only from this list (the rest wait)
  readonly gates?: boolean; // false: every assertion runs after the steps (package.json "gates": false)
  readonly unitTests?: boolean; // false: a run does not run the unit tests first (package.json "unitTests": false)
  readonly jobs?: number; // steps run at once where the engine takes many writers (--jobs, "jobs")
  readonly dataPath?: string; // a DuckLake's data folder (--data-path, "dataPath")
  readonly engine?: Dialect; // the engine the steps run on (--engine, "engine"; engines/traits.ts)
  readonly extensionDir?: string; // a folder of .duckdb_extension files (DUCKSTEPS_EXTENSION_DIR, "extensionDir")
  readonly onSchemaChange?: SchemaPolicy; // the steps' default (package.json "onSchemaChange"; else fail)
  readonly target?: string; // the target this run uses (--target, "target"), when the project declares targets
  readonly logs?: string; // absolute logs folder of the target (default <root>/logs): logs/ or logs/NAME/
  readonly publishTo?: PublishTo; // the target's publish destinations; false: it never publishes
  readonly defer?: Defer; // --defer TARGET: tables this run reads and does not build come from TARGET
  /** What state:modified compares with: --state TARGET, else the deferred-to target, else this one. */
  readonly state?: { readonly target?: string; readonly logs: string };
}

/** A target's publish destinations: file targets into another folder, PostgreSQL through another URL variable
 * and schema names mapped; `false`: the target never publishes. */
export type PublishTo =
  | false
  | {
      readonly output?: string;
      readonly urlEnv?: string;
      readonly schemas: Readonly<Record<string, string>>;
    };

/** The warehouse a deferred run reads what it does not build from (another target's), read-only. */
export interface Defer {
  readonly target: string;
  readonly database: string;
  readonly dataPath?: string;
}

/** Where a run sends its OpenLineage events: an HTTP endpoint, a JSON-lines file (project-relative), or both;
 * `namespace`: the jobs' namespace. */
export interface OpenLineageSettings {
  readonly url?: string;
  readonly file?: string;
  readonly namespace: string;
}

/** How old an input's newest file may get: past warnAfter a warning, past errorAfter the run stops. */
export interface Freshness {
  readonly warnAfterMs?: number;
  readonly errorAfterMs?: number;
}

/** One landing file as the ledger knows it. */
export interface LandingFile {
  readonly input: string;
  readonly path: string; // project-relative, as matched in the landing folder (its name also once archived)
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string; // '' until the batch is sealed (hashed just before its first step runs)
  readonly duplicateOf?: string; // the loaded file with the same content: recorded, not read
}

/** A batch: files processed together, committed by each incremental step on its own. */
export interface Batch {
  readonly id: number;
  readonly fullRefresh: boolean;
  readonly files: readonly LandingFile[];
  readonly isNew: boolean; // not yet in the ledger: the first step to process it records it
  readonly done: readonly string[]; // ids of the steps that already committed it
  readonly location: Readonly<Record<string, string>>; // path -> where the file is now (landing or archive); absent: gone
  readonly later?: readonly Batch[]; // a full refresh's first batch: the refresh's other batches, recorded with it
  readonly sealed?: boolean; // false: a new batch whose files are not hashed yet
  /** Steps whose full refresh starts at this batch (a refresh of some incremental steps from the tables they
   * read: --full-refresh --select STEP+). Its first step records the others' pending refresh in the ledger. */
  readonly refreshFor?: readonly string[];
  readonly claim?: boolean; // the step's transaction claims the ledger's unclaimed rows (incremental/legacy.ts)
}

/** The ledger as read at the start of a batch group. */
export interface Ledger {
  readonly batches: ReadonlyArray<{ readonly id: number; readonly fullRefresh: boolean }>;
  readonly files: ReadonlyArray<LandingFile & { readonly batchId: number }>;
  readonly stepBatches: ReadonlyArray<{ readonly step: string; readonly batchId: number }>;
  /** Steps whose full refresh from `batchId` on has not started yet (ducksteps.step_refreshes). */
  readonly refreshes?: ReadonlyArray<{ readonly step: string; readonly batchId: number }>;
  /** Rows of a ledger made before ledgers were per pipeline that no pipeline has claimed (incremental/legacy.ts). */
  readonly unclaimed?: Omit<Ledger, 'unclaimed' | 'claim' | 'others'>;
  /** This run takes the unclaimed rows as its pipeline's (they are in the rows above): its first step records it. */
  readonly claim?: boolean;
  /** The other pipelines with batches in this ledger. */
  readonly others?: readonly string[];
}

/** One SQL file after templating, ready for the worker. */
export interface RenderedFile {
  readonly file: string; // source path (project-relative)
  readonly compiled: string; // logs/compiled/... path (project-relative)
  readonly sql: string;
  readonly lineMap: readonly number[]; // rendered line index (0-based) -> source line (1-based)
  readonly transaction: boolean; // false when the file says -- ducksteps: no-transaction
}

export type Severity = 'error' | 'warn';

/** A failure located in the user's files: what, where, what to do. */
export interface StepError {
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly compiled?: string;
  readonly compiledLine?: number;
  readonly statement?: string;
  readonly hint?: string;
  /** The failure came after the step's commit point: its work is committed (not rolled back). */
  readonly committed?: boolean;
}

/** What a step reads and writes, found in its rendered SQL (each table named once however it is spelled:
 * render/names.ts). */
export interface StepLineage {
  /** Tables, views and table macros it creates or changes: CREATE, INSERT, UPDATE, DELETE, MERGE, TRUNCATE,
   * COPY … FROM, ALTER, DROP. */
  readonly writes: readonly string[];
  readonly reads: readonly string[]; // tables and views it reads (its own writes and CTEs left out)
  readonly calls: readonly string[]; // table functions it calls in FROM/JOIN (a table macro is one)
  /** The views and table macros it defines, each with what its query reads: reading one reads those. */
  readonly views: Readonly<Record<string, readonly string[]>>;
  readonly filesRead: readonly string[]; // read_csv / read_parquet / read_json paths (or globs)
  readonly filesWritten: readonly string[]; // COPY … TO 'path'
}

/** Where a warehouse session's names go before a step says otherwise (lib/warehouse.ts: homeOf): the catalog
 * and schema of an unqualified name, the catalogs a session has, and the catalog a RESET of the search path
 * goes back to (a lake's session is an in-memory DuckDB that USEs the lake). Names are lower-case. */
export interface Home {
  readonly catalog: string;
  readonly schema: string;
  readonly catalogs: readonly string[];
  readonly reset: string;
}

/** Every step's lineage, its table names relative to `home` (render/names.ts): `t` is the home schema's t,
 * `core.t` another schema's, `other.main.t` another catalog's. */
export interface ProjectLineage extends ReadonlyMap<string, StepLineage> {
  readonly home?: Home;
}

/** A publish/*.sql target: the kind registered for it, where it goes, how, and the kind's own header fields. */
export interface PublishTarget {
  readonly file: string; // publish/NN_name.sql
  readonly kind: string; // a registered publish kind: file, postgres
  readonly destination: string; // a file path, or schema.table
  readonly mode: 'replace' | 'append' | 'upsert';
  readonly key: readonly string[];
  readonly options: Readonly<Record<string, string>>; // the kind's own fields (postgres: url-env, optional)
}

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
  /** The same check on the rows a batch wrote (a built-in macro's, or a `-- scope: batch` query's): run instead
   * of `sql` inside an incremental step when worker/batch-scope.ts finds it gives the same answer. */
  readonly batch?: BatchVariant;
  readonly scope?: 'batch'; // the file says -- scope: batch
}

/** An assertion's batch-scoped SQL (the batch id written as BATCH_TOKEN), the tables it narrows to the batch's
 * rows ('*': every table the step writes) and the others it reads whose rows must not have changed. */
export interface BatchVariant {
  readonly sql: string;
  readonly tables: readonly string[];
  readonly reads: readonly string[];
  readonly custom: boolean;
}
