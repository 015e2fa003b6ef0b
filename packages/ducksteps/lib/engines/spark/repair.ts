// Before a run on Spark: make every name show its last committed version (a step killed between its ledger
// commit and its views' switch is switched now; repeating it is harmless) and drop the versions no ledger row
// names (a step killed or failed before its commit) and the retired ones. Idempotent.
import { dropVersion, type SparkSession } from './session.js';
import { currentVersions, ensureCatalog, forget, unswitched, versionsToDrop } from './catalog.js';
import { isVersion, nameOfVersion } from './versions.js';

const schemaOf = (name: string) => (name.includes('.') ? name.split('.')[0] : 'default');

/** Tables of a schema on the cluster (none when the schema does not exist yet). */
async function tablesIn(session: SparkSession, schema: string): Promise<string[]> {
  try {
    const { rows } = await session.spark.sql(`SHOW TABLES IN ${schema}`);
    return rows
      .filter((r) => !r.isTemporary)
      .map((r) => `${schema === 'default' ? '' : `${schema}.`}${String(r.tableName)}`);
  } catch {
    return [];
  }
}

/** Repairs the cluster's names from the ledger; returns what it did, for the log. */
export async function repair(session: SparkSession): Promise<{ switched: number; dropped: number }> {
  await ensureCatalog(session.ledger);
  const pending = await unswitched(session.ledger);
  if (pending.length) await session.switchViews(pending, await currentVersions(session.ledger));
  const { retired, known, names } = await versionsToDrop(session.ledger);
  const schemas = new Set([...names].map(schemaOf));
  const orphans: string[] = [];
  for (const schema of schemas) {
    for (const table of await tablesIn(session, schema))
      if (isVersion(table) && names.has(nameOfVersion(table)) && !known.has(table)) orphans.push(table);
  }
  for (const physical of [...new Set([...retired, ...orphans])]) await dropVersion(session.spark, physical);
  await forget(session.ledger, retired);
  return { switched: pending.length, dropped: orphans.length + retired.length };
}
