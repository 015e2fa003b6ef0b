// Before a run on Spark: make every name show its last committed version — a step killed between its ledger
// commit and its views' switch is switched now; a view that is gone (dropped on the cluster, a metastore
// restore) is made again; a table ducksteps took over is moved aside (views.ts) — and drop the versions no
// ledger row names (a step killed or failed before its commit) and the retired ones. Idempotent.
import { dropVersion, type SparkSession } from './session.js';
import { currentVersions, ensureCatalog, forget, unswitched, versionsToDrop, type Version } from './catalog.js';
import { isVersion, nameOfVersion } from './versions.js';
import { placeView } from './views.js';

const schemaOf = (name: string) => (name.includes('.') ? name.split('.')[0] : 'default');
const qualified = (schema: string, table: string) => `${schema === 'default' ? '' : `${schema}.`}${table}`;

/** Tables (`SHOW TABLES`, views included) or views of a schema on the cluster; none when it does not exist. */
async function namesIn(session: SparkSession, what: 'TABLES' | 'VIEWS', schema: string): Promise<Set<string>> {
  try {
    const { rows } = await session.spark.sql(`SHOW ${what} IN ${schema}`);
    return new Set(rows.filter((r) => !r.isTemporary).map((r) => qualified(schema, String(r.viewName ?? r.tableName))));
  } catch {
    return new Set();
  }
}

/** The current names whose view is not there (gone, or a table in its place): set right now. */
async function restoreViews(
  session: SparkSession,
  current: readonly Version[],
  tables: Set<string>,
  views: Set<string>,
) {
  const wrong = current.filter((v) => v.kind !== 'dropped' && !views.has(v.name));
  for (const v of wrong) await placeView(session.spark, session.ledger, v.name, v.physical, tables.has(v.name));
  return wrong.length;
}

/** Repairs the cluster's names from the ledger; returns what it did, for the log. */
export async function repair(session: SparkSession): Promise<{ switched: number; restored: number; dropped: number }> {
  await ensureCatalog(session.ledger);
  const pending = await unswitched(session.ledger);
  if (pending.length) await session.switchViews(pending, () => true);
  const { retired, known, names } = await versionsToDrop(session.ledger);
  const tables = new Set<string>();
  const views = new Set<string>();
  for (const schema of new Set([...names].map(schemaOf))) {
    for (const name of await namesIn(session, 'TABLES', schema)) tables.add(name);
    for (const name of await namesIn(session, 'VIEWS', schema)) views.add(name);
  }
  const current = [...(await currentVersions(session.ledger)).values()];
  const restored = await restoreViews(session, current, tables, views);
  const orphans = [...tables].filter((t) => isVersion(t) && names.has(nameOfVersion(t)) && !known.has(t));
  for (const physical of [...new Set([...retired, ...orphans])]) await dropVersion(session.spark, physical);
  await forget(session.ledger, retired);
  return { switched: pending.length, restored, dropped: orphans.length + retired.length };
}
