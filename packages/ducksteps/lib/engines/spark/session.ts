// The Spark engine's Session: statements go to the cluster through Spark Connect, rewritten so a step writes
// new versions of its tables (writes.ts); BEGIN opens the ledger's transaction in the ledger store; COMMIT
// records the versions there with the step's ledger rows — the commit point — then switches each table's
// view (ALTER VIEW is atomic for readers); ROLLBACK drops the step's versions. A killed step leaves only
// versions no ledger row names: the next run drops them and finishes any switch a kill interrupted (repair.ts).
// A write outside a transaction (a `no-transaction` file) commits on its own, the same way.
import type { DuckWarehouse } from '../../model.js';
import {
  AfterCommitError,
  type PublishSource,
  type QueryRows,
  type RunResult,
  type SchemaSupport,
  type Session,
} from '../engine.js';
import { materialize } from './materialize.js';
import { repair } from './repair.js';
import type { Database } from '../duckdb/database.js';
import { SparkConnect, SparkSqlError } from './connect/index.js';
import { currentVersions, ensureCatalog, markSwitched, recordVersions, type Version } from './catalog.js';
import { sparkSchema } from './schema.js';
import { replaceNames, writeOf } from './versions.js';
import { pointNames } from './views.js';
import { physicals, superseded, writeVersion, type StepVersions } from './writes.js';

/** Drops a physical version, a table or a view; never throws (what is left is dropped by a later repair). */
export async function dropVersion(spark: SparkConnect, physical: string): Promise<void> {
  await spark
    .sql(`DROP TABLE IF EXISTS ${physical}`)
    .catch(() => spark.sql(`DROP VIEW IF EXISTS ${physical}`))
    .catch(() => undefined);
}

/** The ledger store's session plus the cluster's. */
export class SparkSession implements Session {
  private tx?: StepVersions;
  readonly schema: SchemaSupport = sparkSchema(this);

  constructor(
    readonly spark: SparkConnect,
    readonly ledger: Database,
    readonly ledgerWarehouse: DuckWarehouse,
  ) {}

  async run(sql: string): Promise<RunResult> {
    const write = writeOf(sql);
    if (!write) {
      await this.sql(this.tx ? replaceNames(sql, physicals(this.tx)) : sql);
      return { rowsChanged: 0 };
    }
    if (this.tx) return writeVersion((text) => this.sql(text), sql, write, this.tx);
    await this.begin(); // a write outside the step's transaction commits on its own
    try {
      const result = await writeVersion((text) => this.sql(text), sql, write, this.tx!);
      await this.commit();
      return result;
    } catch (error) {
      await this.rollback();
      throw error;
    }
  }

  async query(sql: string, limit?: number): Promise<QueryRows> {
    const result = await this.sql(this.tx ? replaceNames(sql, physicals(this.tx)) : sql, limit);
    return { columns: result.columns.map((c) => c.name), rows: result.rows, total: result.rowCount };
  }

  /** Spark has no parse-only call: statements are checked when they run. */
  async parse(): Promise<number> {
    return 1;
  }

  progress() {
    return { percentage: -1, rows: 0 };
  }

  async begin(): Promise<void> {
    await this.ledger.begin();
    await ensureCatalog(this.ledger);
    const committed = await currentVersions(this.ledger);
    this.tx = { committed, written: new Map(), created: [], counts: new Map(), adopted: new Map() };
  }

  /** The ledger's COMMIT is the commit point; then the views switch, then versions the step replaced go. */
  async commit(): Promise<void> {
    const tx = this.tx;
    if (!tx) return;
    const adopted = new Map([...tx.adopted].filter(([name]) => tx.written.has(name)));
    await recordVersions(this.ledger, [...tx.written.values()], adopted);
    await this.ledger.commit();
    this.tx = undefined;
    const shown = (name: string) => tx.committed.has(name) && tx.committed.get(name)!.kind !== 'dropped';
    try {
      await this.switchViews([...tx.written.values()], shown);
    } catch (error) {
      const what = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new AfterCommitError(
        `the step committed, but switching its tables to the new versions failed: ${what}`,
        (error as { hint?: string }).hint ??
          'readers see the previous versions of its tables until the next run, which switches them before it starts',
      );
    }
    await this.drop(superseded(tx));
  }

  async rollback(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    await this.ledger.rollback().catch(() => undefined);
    await this.drop(tx?.created ?? []);
  }

  isConflict(error: unknown): boolean {
    return this.ledger.isConflict(error);
  }

  close(): void {
    void this.spark.close();
    this.ledger.close();
  }

  /** Before a run: every name shows its last committed version; uncommitted versions are dropped (repair.ts). */
  async prepare(): Promise<void> {
    await repair(this);
  }

  /** Publish reads a target's rows from a local DuckDB copy (materialize.ts), made again on the cluster whenever
   * a kind offers other batches; {{ pending_batches }} is a temporary view of the Spark session (no `temp.`). */
  publishSource(sql: string, scratch: () => Promise<Session>, tmpDir: string): PublishSource {
    const copy = async (ids: readonly number[]) => {
      const rows = ids.length
        ? `SELECT CAST(batch_id AS BIGINT) AS batch_id FROM VALUES ${ids.map((id) => `(${Number(id)})`).join(', ')} AS t(batch_id)`
        : 'SELECT CAST(NULL AS BIGINT) AS batch_id WHERE false';
      await this.spark.sql(`CREATE OR REPLACE TEMP VIEW ducksteps_pending_batches AS ${rows}`);
      await materialize(this.spark, sql, await scratch(), 'publish_rows', tmpDir);
    };
    return { session: scratch, sql: 'SELECT * FROM publish_rows', offer: copy };
  }

  /** Points each name's view at its new version (views.ts: made when missing, a table taken over moved
   * aside), then says so in the ledger. `shown`: the names that were views before (ALTER VIEW first). */
  async switchViews(versions: readonly Version[], shown: (name: string) => boolean): Promise<void> {
    await pointNames(this.spark, this.ledger, versions, shown);
    await markSwitched(
      this.ledger,
      versions.map((v) => v.physical),
    );
  }

  /** Drops physical versions, best effort (the next run's repair drops what is left). */
  private async drop(versions: readonly string[]): Promise<void> {
    for (const physical of versions) await dropVersion(this.spark, physical);
  }

  /** Runs a statement on the cluster; a Spark error names reader-facing tables, not versions. */
  private async sql(text: string, limit?: number) {
    try {
      return await this.spark.sql(text, { limit });
    } catch (error) {
      if (error instanceof SparkSqlError) error.message = error.message.replace(/__ds[0-9a-z]+/g, '');
      throw error;
    }
  }
}
