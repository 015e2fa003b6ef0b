// The ledger's record of which physical version each reader-facing name shows on Spark, in the same
// transactional store as the batch ledger (ducksteps.spark_versions): a step's versions become `current` in the
// ledger's COMMIT — the step's commit point — and the views are switched after it (`repointed`). The one
// before stays `previous` (a reader may still be reading it); older ones are `retired` and dropped. A table
// that stood at a name before ducksteps took the name over (adopt.ts) is recorded as kind `adopted`, with the
// version name it is moved to: it is the `previous` version of its first commit.
import type { Session } from '../engine.js';
import { sqlString as text } from '../../sql/quote.js';

const SCHEMA = [
  'CREATE SCHEMA IF NOT EXISTS ducksteps',
  'CREATE TABLE IF NOT EXISTS ducksteps.spark_versions (name VARCHAR NOT NULL, physical VARCHAR NOT NULL, kind VARCHAR NOT NULL, state VARCHAR NOT NULL, repointed BOOLEAN NOT NULL, committed_at TIMESTAMPTZ NOT NULL)',
];

export interface Version {
  readonly name: string;
  readonly physical: string;
  readonly kind: 'table' | 'view' | 'dropped';
}

/** Creates the version table if needed (inside the caller's transaction, or on its own). */
export async function ensureCatalog(ledger: Session): Promise<void> {
  for (const sql of SCHEMA) await ledger.run(sql);
}

/** name -> its current version, as committed. */
export async function currentVersions(ledger: Session): Promise<Map<string, Version>> {
  const { rows } = await ledger.query(
    "SELECT name, physical, kind FROM ducksteps.spark_versions WHERE state = 'current'",
  );
  return new Map(
    rows.map((r) => [
      String(r.name),
      { name: String(r.name), physical: String(r.physical), kind: String(r.kind) as Version['kind'] },
    ]),
  );
}

/** Inside the step's ledger transaction: these versions become current, the current ones previous (or, for a
 * name taken over, the table that stood there, as `adopted`: name -> the version name it moves to). */
export async function recordVersions(
  ledger: Session,
  versions: readonly Version[],
  adopted: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  for (const v of versions) {
    await ledger.run(
      `UPDATE ducksteps.spark_versions SET state = 'retired' WHERE name = ${text(v.name)} AND state = 'previous'`,
    );
    await ledger.run(
      `UPDATE ducksteps.spark_versions SET state = 'previous' WHERE name = ${text(v.name)} AND state = 'current'`,
    );
    await ledger.run(
      `INSERT INTO ducksteps.spark_versions VALUES (${text(v.name)}, ${text(v.physical)}, ${text(v.kind)}, 'current', false, now())`,
    );
    const before = adopted.get(v.name);
    if (before)
      await ledger.run(
        `INSERT INTO ducksteps.spark_versions VALUES (${text(v.name)}, ${text(before)}, 'adopted', 'previous', false, now())`,
      );
  }
}

/** Committed versions whose views are not switched yet (a step killed between its commit and the switch). */
export async function unswitched(ledger: Session): Promise<Version[]> {
  const { rows } = await ledger.query(
    "SELECT name, physical, kind FROM ducksteps.spark_versions WHERE state = 'current' AND NOT repointed ORDER BY committed_at",
  );
  return rows.map((r) => ({
    name: String(r.name),
    physical: String(r.physical),
    kind: String(r.kind) as Version['kind'],
  }));
}

/** The views now show these versions. */
export async function markSwitched(ledger: Session, physicals: readonly string[]): Promise<void> {
  if (physicals.length)
    await ledger.run(
      `UPDATE ducksteps.spark_versions SET repointed = true WHERE physical IN (${physicals.map(text).join(', ')})`,
    );
}

/** Physical versions no name shows or may still be read through (retired), and every version the ledger knows
 * (an adopted table moved aside is dropped once retired, like any version). */
export async function versionsToDrop(
  ledger: Session,
): Promise<{ retired: string[]; known: Set<string>; names: Set<string> }> {
  const { rows } = await ledger.query('SELECT name, physical, state, kind FROM ducksteps.spark_versions');
  return {
    retired: rows.filter((r) => r.state === 'retired' && r.kind !== 'dropped').map((r) => String(r.physical)),
    known: new Set(rows.filter((r) => r.state !== 'retired').map((r) => String(r.physical))),
    names: new Set(rows.map((r) => String(r.name))),
  };
}

/** Retired versions that were dropped: forgotten. */
export async function forget(ledger: Session, physicals: readonly string[]): Promise<void> {
  if (physicals.length)
    await ledger.run(
      `DELETE FROM ducksteps.spark_versions WHERE state = 'retired' AND physical IN (${physicals.map(text).join(', ')})`,
    );
}
