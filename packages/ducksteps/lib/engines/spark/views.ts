// The reader-facing names on the cluster: each name ducksteps builds is a view of its table's current version
// (`ALTER VIEW` repoints it atomically for readers). Setting one right copes with what others did to it: a
// view that is gone (dropped by a cluster user, a metastore restore) is made again; a table ducksteps took
// over (adopt.ts) is moved aside to the version name the ledger recorded for it, then the view takes its name.
// A table where ducksteps keeps a view, which it did not take over, is refused with a WarehouseError.
import { WarehouseError } from '../../errors.js';
import type { Session } from '../engine.js';
import { sqlString as text } from '../../sql/quote.js';
import { type SparkConnect, SparkSqlError } from './connect/index.js';
import type { Version } from './catalog.js';

const classOf = (error: unknown) => (error instanceof SparkSqlError ? (error.errorClass ?? '') : '');

/** The table that stood at `name` before ducksteps took it over, as its ledger recorded it (kind 'adopted'). */
async function adoptedAs(ledger: Session, name: string): Promise<string | undefined> {
  const { rows } = await ledger.query(
    `SELECT physical FROM ducksteps.spark_versions WHERE name = ${text(name)} AND kind = 'adopted' AND state <> 'retired' ORDER BY committed_at DESC LIMIT 1`,
  );
  return rows.length ? String(rows[0].physical) : undefined;
}

/** A table stands at `name`: renamed to its recorded version name when ducksteps took it over, else refused. */
async function moveAside(spark: SparkConnect, ledger: Session, name: string, shows?: string): Promise<void> {
  const to = await adoptedAs(ledger, name);
  if (!to)
    throw new WarehouseError(
      `${name} is a table on the Spark cluster, where ducksteps keeps a view of ${name}'s committed version${shows ? ` (${shows})` : ''}`,
      {
        hint: `someone replaced the view with a table of their own: rename that table (ALTER TABLE ${name} RENAME TO ${name}_kept) or drop it, then run again`,
      },
    );
  await spark.sql(`ALTER TABLE ${name} RENAME TO ${to}`);
}

/** Makes `name` a view of `physical`, whatever stands there now: a view (repointed), nothing (created), or a
 * table (moved aside, see moveAside). `known`: the name was a view when last seen (try ALTER first). */
export async function placeView(
  spark: SparkConnect,
  ledger: Session,
  name: string,
  physical: string,
  known: boolean,
): Promise<void> {
  let verb = known ? 'ALTER' : 'CREATE';
  for (let tries = 0; ; tries++) {
    try {
      await spark.sql(`${verb} VIEW ${name} AS SELECT * FROM ${physical}`);
      return;
    } catch (error) {
      const kind = classOf(error);
      if (tries >= 3) throw error;
      if (kind.startsWith('TABLE_OR_VIEW_NOT_FOUND')) verb = 'CREATE';
      else if (kind.startsWith('TABLE_OR_VIEW_ALREADY_EXISTS')) verb = 'ALTER';
      else if (kind.startsWith('EXPECT_VIEW_NOT_TABLE')) {
        await moveAside(spark, ledger, name, physical);
        verb = 'CREATE';
      } else throw error;
    }
  }
}

/** A name the step dropped: its view goes (a table ducksteps took over is moved aside, as the version before). */
export async function clearName(spark: SparkConnect, ledger: Session, name: string): Promise<void> {
  try {
    await spark.sql(`DROP VIEW IF EXISTS ${name}`);
  } catch (error) {
    if (!/EXPECT_VIEW_NOT_TABLE|WRONG_COMMAND_FOR_OBJECT_TYPE/.test(classOf(error))) throw error;
    await moveAside(spark, ledger, name);
  }
}

/** Points each name at its version (`known`: the names that were views, to try ALTER VIEW first). */
export async function pointNames(
  spark: SparkConnect,
  ledger: Session,
  versions: readonly Version[],
  known: (name: string) => boolean,
): Promise<void> {
  for (const v of versions) {
    if (v.kind === 'dropped') await clearName(spark, ledger, v.name);
    else await placeView(spark, ledger, v.name, v.physical, known(v.name));
  }
}
