// What one write statement of a step does on Spark, where nothing is transactional: it goes to a new physical
// version of its table (versions.ts names it), never to the table readers see. A new table starts empty or as
// the statement makes it; an INSERT starts from a copy of the committed version (Spark's session catalog cannot
// append to a table atomically for readers). `CREATE TABLE IF NOT EXISTS` of a committed table writes nothing.
// The step's later statements read its versions; session.ts commits them.
import type { RunResult } from '../engine.js';
import type { Version } from './catalog.js';
import { codeOnly } from '../../sql/split.js';
import { adopt, type Adopted, newToken } from './adopt.js';
import { replaceNames, versionName, type Write } from './versions.js';

/** The step's versions so far. */
export interface StepVersions {
  readonly committed: Map<string, Version>; // as the step started (plus what it took over: adopt.ts)
  readonly written: Map<string, Version>; // name -> this step's version (kind 'dropped': dropped in this step)
  readonly created: string[]; // physical tables made in this step (dropped on rollback, or when superseded)
  readonly counts: Map<string, number>; // physical -> rows, as last counted
  readonly adopted: Adopted; // tables that stood at names the ledger did not know, taken over by this step
}

type Sql = (text: string) => Promise<{ rows: Record<string, unknown>[] }>;

const REPLACE = /^(\s*CREATE\s+)(OR\s+REPLACE\s+)?((?:TABLE|VIEW)\s+)(IF\s+NOT\s+EXISTS\s+)?/i;

/** `CREATE OR REPLACE …` / `… IF NOT EXISTS` of a fresh version: Spark's session catalog has no OR REPLACE,
 * and a new name never exists. Found in the code (leading comments blanked), cut from the text. */
function stripReplace(sql: string): string {
  const m = REPLACE.exec(codeOnly(sql));
  if (!m) return sql;
  const orReplace = m[1].length;
  const ifNotExists = orReplace + (m[2]?.length ?? 0) + m[3].length;
  return (
    sql.slice(0, orReplace) +
    sql.slice(orReplace + (m[2]?.length ?? 0), ifNotExists) +
    sql.slice(ifNotExists + (m[4]?.length ?? 0))
  );
}

/** The table a name shows to this step: its own version, none (dropped in this step) or the committed one. */
export function visible(tx: StepVersions, name: string): { mine?: Version; committed?: Version; dropped: boolean } {
  const own = tx.written.get(name);
  if (own?.kind === 'dropped') return { dropped: true };
  const committed = tx.committed.get(name);
  return { mine: own, committed: committed?.kind === 'dropped' ? undefined : committed, dropped: false };
}

/** name -> physical, for every name this step has written so far (its later reads see its own writes). */
export const physicals = (tx: StepVersions): Map<string, string> =>
  new Map([...tx.written.values()].filter((v) => v.kind !== 'dropped').map((v) => [v.name, v.physical]));

/** Runs one write statement of the step against a version; returns the rows it changed. */
export async function writeVersion(sql: Sql, statement: string, write: Write, tx: StepVersions): Promise<RunResult> {
  if (!tx.written.has(write.name) && !tx.committed.has(write.name)) {
    const found = await adopt(sql, write.name, tx.adopted); // a name new to the ledger: is something there?
    if (found) tx.committed.set(write.name, found);
  }
  const { mine, committed, dropped } = visible(tx, write.name);
  const skip = { from: write.at, to: write.at + write.length };
  const pointed = (physical: string) =>
    replaceNames(
      `${statement.slice(0, write.at)}${physical}${statement.slice(write.at + write.length)}`,
      physicals(tx),
      skip,
    );
  if (write.kind === 'drop') {
    tx.written.set(write.name, { name: write.name, physical: '', kind: 'dropped' });
    return { rowsChanged: 0 };
  }
  if (write.kind === 'create-if-missing' && (mine || committed)) return { rowsChanged: 0 }; // it exists: nothing to write
  if (write.kind === 'insert' || write.kind === 'overwrite') {
    if (dropped || (!mine && !committed)) throw missingTable(write.name, dropped);
    const physical = mine?.physical ?? (await copyOf(sql, committed!, write.kind === 'overwrite', tx));
    tx.written.set(write.name, { name: write.name, physical, kind: 'table' });
    await sql(pointed(physical));
    return { rowsChanged: await countChange(sql, physical, write.kind === 'insert', tx) };
  }
  const physical = versionName(write.name, newToken()); // create, create-if-missing of a new table, view
  const kind = write.kind === 'view' ? 'view' : 'table';
  const text =
    kind === 'view'
      ? `${statement.slice(0, write.at)}${physical}${statement.slice(write.at + write.length)}`
      : pointed(physical);
  await sql(stripReplace(text)); // a view's body keeps reader-facing names: it reads what they show when read
  tx.created.push(physical);
  tx.written.set(write.name, { name: write.name, physical, kind });
  return { rowsChanged: kind === 'view' ? 0 : await countChange(sql, physical, false, tx) };
}

/** Spark's own words for a table that is not there (an INSERT into a table this step dropped, or never made). */
function missingTable(name: string, dropped: boolean): Error {
  return new Error(
    `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`${name}\` cannot be found${dropped ? ' (this step dropped it)' : ''}. SQLSTATE: 42P01`,
  );
}

/** A new version that starts as the committed one (or, for INSERT OVERWRITE, with its columns only). */
async function copyOf(sql: Sql, source: Version, empty: boolean, tx: StepVersions): Promise<string> {
  const physical = versionName(source.name, newToken());
  await sql(
    empty
      ? `CREATE TABLE ${physical} LIKE ${source.physical}`
      : `CREATE TABLE ${physical} AS SELECT * FROM ${source.physical}`,
  );
  tx.created.push(physical);
  tx.counts.set(physical, empty ? 0 : await count(sql, physical));
  return physical;
}

const count = async (sql: Sql, physical: string) =>
  Number((await sql(`SELECT count(*) AS n FROM ${physical}`)).rows[0].n);

/** Rows a write changed, counted on the version (Spark reports none for DML): the version's rows (a new
 * table), or how many it gained (an INSERT). */
async function countChange(sql: Sql, physical: string, added: boolean, tx: StepVersions): Promise<number> {
  const now = await count(sql, physical);
  const before = tx.counts.get(physical) ?? 0;
  tx.counts.set(physical, now);
  return added ? now - before : now;
}

/** Versions this step made that its commit does not keep (a table replaced twice in one step). */
export const superseded = (tx: StepVersions): string[] => {
  const kept = new Set([...tx.written.values()].map((v) => v.physical));
  return tx.created.filter((p) => !kept.has(p));
};
