// The Spark engine's Session: statements go to the cluster through Spark Connect, rewritten so a step writes
// new versions of its tables (versions.ts); BEGIN opens the ledger's transaction in the ledger store; COMMIT
// records the versions there with the step's ledger rows — the commit point — then switches each table's
// view (ALTER VIEW is atomic for readers); ROLLBACK drops the step's versions. A killed step leaves only
// versions no ledger row names: the next run drops them and finishes any switch a kill interrupted (repair.ts).
import type { DuckWarehouse } from '../../model.js';
import type { QueryRows, RunResult, Session } from '../engine.js';
import type { Database } from '../duckdb/database.js';
import { SparkConnect, SparkSqlError } from './connect/index.js';
import { currentVersions, ensureCatalog, markSwitched, recordVersions, type Version } from './catalog.js';
import { replaceNames, versionName, writeOf, type Write } from './versions.js';

interface Transaction {
  readonly committed: Map<string, Version>;
  readonly written: Map<string, Version>; // name -> the version this step writes
  readonly created: string[]; // physical tables made in this transaction (dropped on rollback)
  readonly counts: Map<string, number>;
}

let tokens = 0;
/** A version token unique enough: time, process and a counter, base 36. */
const newToken = () => `${Date.now().toString(36)}${process.pid.toString(36)}${(tokens++).toString(36)}`;

/** The ledger store's session plus the cluster's. */
export class SparkSession implements Session {
  private tx?: Transaction;

  constructor(readonly spark: SparkConnect, readonly ledger: Database, readonly ledgerWarehouse: DuckWarehouse) {}

  async run(sql: string): Promise<RunResult> {
    const write = this.tx && writeOf(sql);
    if (!this.tx || !write) {
      await this.sql(this.tx ? replaceNames(sql, this.physicals()) : sql);
      return { rowsChanged: 0 };
    }
    return this.write(sql, write, this.tx);
  }

  async query(sql: string, limit?: number): Promise<QueryRows> {
    const result = await this.sql(this.tx ? replaceNames(sql, this.physicals()) : sql, limit);
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
    this.tx = { committed: await currentVersions(this.ledger), written: new Map(), created: [], counts: new Map() };
  }

  async commit(): Promise<void> {
    const tx = this.tx;
    if (!tx) return;
    await recordVersions(this.ledger, [...tx.written.values()]);
    await this.ledger.commit(); // the commit point: from here the versions are the step's result
    this.tx = undefined;
    await this.switchViews([...tx.written.values()], tx.committed);
  }

  async rollback(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    await this.ledger.rollback().catch(() => undefined);
    for (const physical of tx?.created ?? []) await this.spark.sql(`DROP TABLE IF EXISTS ${physical}`).catch(() => undefined);
  }

  isConflict(error: unknown): boolean {
    return this.ledger.isConflict(error);
  }

  close(): void {
    void this.spark.close();
    this.ledger.close();
  }

  /** Points each name's view at its new version (creating the view the first time), then says so in the ledger. */
  async switchViews(versions: readonly Version[], before: ReadonlyMap<string, Version>): Promise<void> {
    for (const v of versions) {
      if (v.kind === 'dropped') await this.spark.sql(`DROP VIEW IF EXISTS ${v.name}`);
      else if (before.has(v.name) && before.get(v.name)!.kind !== 'dropped') await this.spark.sql(`ALTER VIEW ${v.name} AS SELECT * FROM ${v.physical}`);
      else await this.spark.sql(`CREATE VIEW IF NOT EXISTS ${v.name} AS SELECT * FROM ${v.physical}`).then(() => this.spark.sql(`ALTER VIEW ${v.name} AS SELECT * FROM ${v.physical}`));
    }
    await markSwitched(this.ledger, versions.map((v) => v.physical));
  }

  /** name -> physical, for every name this step has written so far (its later reads see its own writes). */
  private physicals(): Map<string, string> {
    return new Map([...(this.tx?.written.values() ?? [])].filter((v) => v.kind !== 'dropped').map((v) => [v.name, v.physical]));
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

  /** A write: the statement, pointed at the table's new version (made from the committed one when the
   * statement adds to it); the rows changed counted on the version. */
  private async write(sql: string, write: Write, tx: Transaction): Promise<RunResult> {
    const live = (v?: Version) => (v && v.kind !== 'dropped' ? v : undefined);
    const mine = live(tx.written.get(write.name));
    const committed = live(tx.committed.get(write.name));
    if (write.kind === 'drop') {
      tx.written.set(write.name, { name: write.name, physical: '', kind: 'dropped' });
      return { rowsChanged: 0 };
    }
    if (write.kind === 'create-if-missing' && mine) return { rowsChanged: 0 }; // made earlier in this step
    if (write.kind === 'create-if-missing' && committed) return this.register(tx, write, await this.copy(committed, false, tx)); // it exists
    const skip = { from: write.at, to: write.at + write.length };
    const pointed = (physical: string) => `${sql.slice(0, write.at)}${physical}${sql.slice(write.at + write.length)}`;
    if (write.kind === 'insert' || write.kind === 'overwrite') {
      if (!mine && !committed) return this.sql(sql).then(() => ({ rowsChanged: 0 })); // no such table: Spark says so
      const physical = mine?.physical ?? (await this.copy(committed!, write.kind === 'overwrite', tx));
      tx.written.set(write.name, { name: write.name, physical, kind: 'table' });
      await this.sql(replaceNames(pointed(physical), this.physicals(), skip));
      return { rowsChanged: await this.countChange(physical, write.kind === 'insert', tx) };
    }
    const physical = versionName(write.name, newToken()); // create, create-if-missing of a new table, view
    await this.sql(stripReplace(replaceNames(pointed(physical), write.kind === 'view' ? new Map() : this.physicals(), skip)));
    tx.created.push(physical);
    return this.register(tx, write, physical);
  }

  /** The statement's table is now `physical` in this step; its rows (none for a view). */
  private async register(tx: Transaction, write: Write, physical: string): Promise<RunResult> {
    const kind = write.kind === 'view' ? 'view' : 'table';
    tx.written.set(write.name, { name: write.name, physical, kind });
    return { rowsChanged: kind === 'view' ? 0 : await this.countChange(physical, false, tx) };
  }

  /** A new version that starts as the committed one (or, for INSERT OVERWRITE, with its columns only). */
  private async copy(source: Version, empty: boolean, tx: Transaction): Promise<string> {
    const physical = versionName(source.name, newToken());
    await this.sql(empty ? `CREATE TABLE ${physical} LIKE ${source.physical}` : `CREATE TABLE ${physical} AS SELECT * FROM ${source.physical}`);
    tx.created.push(physical);
    tx.counts.set(physical, empty ? 0 : await this.count(physical));
    return physical;
  }

  private async count(physical: string): Promise<number> {
    return Number((await this.sql(`SELECT count(*) AS n FROM ${physical}`)).rows[0].n);
  }

  /** Rows a write changed: the version's rows (a new table), or how many it gained (an INSERT). */
  private async countChange(physical: string, added: boolean, tx: Transaction): Promise<number> {
    const now = await this.count(physical);
    const before = tx.counts.get(physical) ?? 0;
    tx.counts.set(physical, now);
    return added ? now - before : now;
  }
}

/** `CREATE OR REPLACE …` / `… IF NOT EXISTS` of a fresh version: Spark's session catalog has no OR REPLACE,
 * and a new name never exists. */
const stripReplace = (sql: string) => sql.replace(/^(\s*CREATE\s+)OR\s+REPLACE\s+/i, '$1').replace(/^(\s*CREATE\s+(?:TABLE|VIEW)\s+)IF\s+NOT\s+EXISTS\s+/i, '$1');

