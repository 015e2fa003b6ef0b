// The postgres kind's delivery (the only importer of pg): a query's rows to a PostgreSQL table, atomically:
// COPY into a staging table, then in the same PostgreSQL transaction swap it in (replace), insert it
// (append), or merge it by key (upsert). Readers see the old table or the new one; any error rolls the
// whole transaction back.
import { createReadStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { sqlIdent as quoteIdent } from '../sql/quote.js';
import type { PublishTarget } from '../model.js';
import type { Delivered } from './kind.js';
import type { ColumnPlan } from './pg-types.js';

function ddl(table: string, columns: readonly ColumnPlan[], key: readonly string[]): string {
  const cols = columns.map((c) => `${quoteIdent(c.name)} ${c.pgType}`);
  if (key.length) cols.push(`PRIMARY KEY (${key.map(quoteIdent).join(', ')})`);
  return `CREATE TABLE ${table} (${cols.join(', ')})`;
}

async function tableExists(client: pg.Client, schema: string, table: string): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2', [schema, table]);
  return rows.length > 0;
}

async function schemaExists(client: pg.Client, schema: string): Promise<boolean> {
  return (await client.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [schema])).rows.length > 0;
}

/** Streams a CSV file (written by DuckDB) into `table` with COPY FROM STDIN. */
async function copyInto(client: pg.Client, table: string, columns: readonly ColumnPlan[], csv: string): Promise<number> {
  const stream = copyFrom(`COPY ${table} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN WITH (FORMAT csv)`);
  client.query(stream);
  await pipeline(createReadStream(csv), stream);
  return stream.rowCount ?? 0;
}

/** Moves the staged rows into the live table the way the target's mode says, inside the open transaction. */
async function apply(client: pg.Client, target: PublishTarget, columns: readonly ColumnPlan[], staging: string): Promise<void> {
  const [schema, name] = target.destination.split('.');
  const live = `${quoteIdent(schema)}.${quoteIdent(name)}`;
  const exists = await tableExists(client, schema, name);
  if (target.mode === 'replace') {
    if (exists) await client.query(`DROP TABLE ${live}`); // the new table, filled, replaces it in this transaction
    await client.query(`ALTER TABLE ${staging} RENAME TO ${quoteIdent(name)}`);
    return;
  }
  if (!exists) await client.query(ddl(live, columns, target.mode === 'upsert' ? target.key : []));
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  if (target.mode === 'append') {
    await client.query(`INSERT INTO ${live} (${names}) SELECT ${names} FROM ${staging}`);
  } else {
    const updates = columns.filter((c) => !target.key.includes(c.name)).map((c) => `${quoteIdent(c.name)} = EXCLUDED.${quoteIdent(c.name)}`);
    const action = updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING';
    await client.query(`INSERT INTO ${live} (${names}) SELECT ${names} FROM ${staging} ON CONFLICT (${target.key.map(quoteIdent).join(', ')}) ${action}`);
  }
  await client.query(`DROP TABLE ${staging}`);
}

/** Publishes the CSV export of a query (columns already planned) to the target's table. */
export async function deliverToPostgres(target: PublishTarget, url: string, columns: readonly ColumnPlan[], csv: string): Promise<Delivered> {
  const [schema, name] = target.destination.split('.');
  const client = new pg.Client({ connectionString: url, application_name: 'ducksteps' });
  await client.connect();
  try {
    if (!(await schemaExists(client, schema))) throw Object.assign(new Error(`schema ${schema} does not exist in the database`), { hint: `create it (CREATE SCHEMA ${schema};) or publish to an existing schema` });
    const staging = `${quoteIdent(schema)}.${quoteIdent(`${name}__ducksteps_staging`)}`;
    await client.query('BEGIN');
    try {
      await client.query(`DROP TABLE IF EXISTS ${staging}`);
      await client.query(ddl(staging, columns, target.mode === 'replace' ? target.key : []));
      const rows = await copyInto(client, staging, columns, csv);
      await apply(client, target, columns, staging);
      await client.query('COMMIT');
      return { rows, bytes: statSync(csv).size };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

