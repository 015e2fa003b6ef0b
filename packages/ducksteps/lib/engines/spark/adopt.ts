// A step writes a name its ledger has no version of, and the cluster already has something there: a table a
// pipeline before ducksteps built, or a view of a ledger that was lost. ducksteps takes it over as the
// committed version the step starts from — an INSERT carries its rows into the step's first version, a
// CREATE TABLE IF NOT EXISTS finds it there — and, once the step commits, a table is moved aside to a version
// name (recorded in the ledger as the version before, kind `adopted`) so the name can become ducksteps' view
// (views.ts). A view is simply repointed. Looked up once per name, on its first write only.
import type { Version } from './catalog.js';
import { versionName } from './versions.js';

type Sql = (text: string) => Promise<{ rows: Record<string, unknown>[] }>;

/** The step's names taken over so far: name -> the version name its table moves to at the switch. */
export type Adopted = Map<string, string>;

let tokens = 0;
/** A version token unique enough: time, process and a counter, base 36. */
export const newToken = () => `${Date.now().toString(36)}${process.pid.toString(36)}${(tokens++).toString(36)}`;

/** Rows of a SHOW command, none when its schema does not exist yet. */
async function shown(sql: Sql, command: string): Promise<Record<string, unknown>[]> {
  try {
    return (await sql(command)).rows.filter((r) => !r.isTemporary);
  } catch (error) {
    if (/SCHEMA_NOT_FOUND/.test(String((error as Error)?.message))) return [];
    throw error;
  }
}

/** What the cluster has at `name` (schema.table, canonical): a table, a view, or nothing. */
export async function standing(sql: Sql, name: string): Promise<'table' | 'view' | undefined> {
  const [schema, table] = name.includes('.') ? name.split('.') : [undefined, name];
  const where = `${schema ? ` IN ${schema}` : ''} LIKE '${table}'`;
  if ((await shown(sql, `SHOW TABLES${where}`)).length === 0) return undefined;
  return (await shown(sql, `SHOW VIEWS${where}`)).length ? 'view' : 'table';
}

/** Before the first write of a name the ledger does not know: what stands there becomes the step's committed
 * version of it (the name itself, read as it is); returns that version, or undefined when nothing stands. */
export async function adopt(sql: Sql, name: string, adopted: Adopted): Promise<Version | undefined> {
  const kind = await standing(sql, name);
  if (!kind) return undefined;
  if (kind === 'table') adopted.set(name, versionName(name, newToken()));
  return { name, physical: name, kind };
}
