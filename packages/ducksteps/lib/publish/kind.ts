// A publish kind (file, postgres, …): how its header is checked, whether a target is skipped, how its rows
// are delivered, and what the lineage drawing shows it writes. A new kind is one file implementing this and
// one line in registry.ts (plus a section in docs/publish.md and a test). dbmate's Driver is the model.
import type { Session } from '../engines/engine.js';
import { ENGINE_NAMES, traitsOf } from '../engines/traits.js';
import type { Dialect, PublishTarget } from '../model.js';

export type PublishMode = PublishTarget['mode'];

/** What a delivery wrote. */
export interface Delivered {
  readonly rows: number;
  readonly bytes: number;
  readonly note?: string; // e.g. which batches it delivered
}

/** A batch of the warehouse: its id and the run that created it (ids start again in a new warehouse). */
export interface BatchRef {
  readonly id: number;
  readonly runId: string;
}

/** What `{{ pending_batches }}` (and its older name `{{ run_batches }}`) renders to: the batches offered to the
 * target being delivered, filled in by the publish worker (offer) before the target's query runs: a temporary
 * view of the session, named as the dialect names one. */
export const pendingBatchesFor = (dialect: Dialect): string =>
  `(SELECT batch_id FROM ${traitsOf(dialect).tempView('ducksteps_pending_batches')})`;

/** Whether a rendered query reads the batches offered to it. */
export const readsPending = (sql: string) => ENGINE_NAMES.some((dialect) => sql.includes(pendingBatchesFor(dialect)));

/** What a kind's delivery gets, inside the publish worker. */
export interface Delivery {
  readonly session: Session; // the warehouse, read-only
  readonly target: PublishTarget;
  readonly sql: string; // the target's query, rendered
  readonly projectRoot: string;
  readonly tmpDir: string; // scratch space the worker pool cleans up
  readonly runId: string;
  /** The pipeline delivering (project/pipeline.ts): the publish ledger's rows are kept per pipeline. */
  readonly pipeline: string;
  /** The batches every incremental step has committed (the warehouse's ledger), and this run's. */
  readonly batches: { readonly complete: readonly BatchRef[]; readonly thisRun: readonly number[] };
  /** Sets what {{ pending_batches }} reads (this run's batches until a kind with a ledger says otherwise). */
  offer(ids: readonly number[]): Promise<void>;
  /** How long the delivery may take (publishTimeout): a kind sets its server-side timeouts from it. */
  readonly timeoutMs: number;
}

/** A header problem: what is wrong and what to write instead. */
export interface HeaderProblem {
  readonly message: string;
  readonly hint: string;
}

export interface PublishKind {
  readonly name: string;
  /** A destination to show in hints: `-- publish: <name> <example>`. */
  readonly example: string;
  /** The modes it supports; the first is the default. */
  readonly modes: readonly PublishMode[];
  /** Header fields of its own (besides publish, mode, key), each with its default. */
  readonly fields: Readonly<Record<string, string>>;
  /** The problem with a target's destination or fields, if any (checked before anything runs). */
  check(target: PublishTarget): HeaderProblem | undefined;
  /** Why this target is skipped now (e.g. an optional connection that is not configured), if it is. */
  skip?(target: PublishTarget): string | undefined;
  /** Loads what delivery needs ahead of time (a publish worker does it while it waits for its job). */
  preload?(): Promise<void>;
  /** Delivers the query's rows; throws an Error (with an optional `hint`) when it cannot. */
  deliver(delivery: Delivery): Promise<Delivered>;
  /** What it writes, for the lineage drawing. */
  writes(target: PublishTarget): { readonly files: readonly string[]; readonly tables: readonly string[] };
}
