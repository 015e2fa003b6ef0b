// What differs between engines, as data: one descriptor per engine (engines/traits/NAME.ts) with the name,
// the capabilities and the wording the rest of lib/ asks for instead of naming an engine. No implementation
// behind it and no import of one (gRPC, Arrow, DuckDB, pg): the driver side reads these files and nothing else
// of engines/ (tests/layers.test.ts); what an engine does to a warehouse is engines/NAME/, opened by
// engines/open.ts inside a worker.
import { duckdbTraits } from './traits/duckdb.js';
import { sparkTraits } from './traits/spark.js';

/** What an engine on a cluster adds: the warehouse is the cluster, and --db names the ledger's store. */
export interface ClusterTraits {
  /** The environment variable holding the cluster's URL (a secret: it may hold a token). */
  readonly urlEnv: string;
  /** What to do when it is not set. */
  readonly urlHint: string;
  /** Where a step's unqualified names go (model.ts Home): the cluster's catalog and schema. */
  readonly home: {
    readonly catalog: string;
    readonly schema: string;
    readonly catalogs: readonly string[];
    readonly reset: string;
  };
  /** The OpenLineage namespace of the cluster's tables (docs/observability.md). */
  namespace(url: string): string;
  /** doctor's fix when the cluster does not answer. */
  readonly unreachableHint: string;
  /** The lines `./run.sh --help` gives `--engine NAME`. */
  readonly helpLines: string;
}

export interface EngineTraits {
  /** --engine NAME, package.json "engine", a file's variant NAME.<name>.sql and {{ engine }} in templates. */
  readonly name: string;
  /** The engine named for people (doctor, messages). */
  readonly title: string;
  /** What it runs on, for the hint of a wrong "engine". */
  readonly runsOn: string;
  /** Steps record what they read and wrote, so a step whose inputs did not change can be skipped. */
  readonly recordsChanges: boolean;
  /** A gate of an incremental step may check only the rows its batch wrote (worker/batch-scope.ts). */
  readonly batchGates: boolean;
  /** --defer can attach another target's warehouse to a step's session. */
  readonly defers: boolean;
  /** compile parses the statements here; else the engine checks them when they run. */
  readonly parsesLocally: boolean;
  /** show and sql refuse while a run holds the warehouse's lock; else they read what is committed, no lock. */
  readonly readsNeedLock: boolean;
  /** `sql` refuses anything but queries (the warehouse cannot be opened read-only). */
  readonly queriesOnly: boolean;
  /** Every run prepares the warehouse before its first step (not only a new one). */
  readonly preparesEveryRun: boolean;
  /** What a failed prepare says: what could not be done, and what to check. */
  readonly prepareFailure: { readonly what: string; readonly hint: string };
  /** A name quoted as this dialect reads it. */
  quote(name: string): string;
  /** A session's temporary view or table as queries name it. */
  tempView(name: string): string;
  /** What joins the not_null macro's branches, one per column, each with the same columns. */
  readonly unionAll: string;
  /** Hints for this engine's SQL errors, by the message's pattern (worker/sql-error.ts). */
  readonly sqlErrorHints: ReadonlyArray<readonly [RegExp, string]>;
  /** Set for an engine that runs on a cluster. */
  readonly cluster?: ClusterTraits;
}

const ALL = [duckdbTraits, sparkTraits] as const;

/** Every engine, DuckDB first (the default). */
export const ENGINES: readonly EngineTraits[] = ALL;

/** The SQL dialect steps are written in, and the name of the engine that runs it (--engine, "engine"). */
export type Dialect = (typeof ALL)[number]['name'];

/** An engine on a cluster: its warehouse is { engine, url, ledger } (model.ts). */
export type ClusterDialect = Exclude<Dialect, typeof duckdbTraits.name>;

/** The engine names, as a setting takes them. */
export const ENGINE_NAMES: readonly Dialect[] = ALL.map((e) => e.name);

/** Whether a value names an engine. */
export const isDialect = (value: unknown): value is Dialect => ENGINE_NAMES.includes(value as Dialect);

/** The descriptor of an engine (DuckDB when none is named). */
export const traitsOf = (name: Dialect | undefined): EngineTraits =>
  ENGINES.find((e) => e.name === name) ?? duckdbTraits;

/** A file only one engine runs: `NAME.<engine>.sql` ([1] the NAME, [2] the engine). */
export const VARIANT = new RegExp(`^(.*)\\.(${ENGINE_NAMES.join('|')})\\.sql$`);

/** Whether an engine runs on a cluster. */
export const isCluster = (name: Dialect | undefined): name is ClusterDialect => traitsOf(name).cluster !== undefined;

/** What a cluster engine adds. */
export const clusterOf = (name: ClusterDialect): ClusterTraits => traitsOf(name).cluster!;
