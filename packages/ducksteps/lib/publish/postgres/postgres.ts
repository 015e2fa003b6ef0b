// Publish kind `postgres`: a query's rows to a PostgreSQL table in one transaction (replace, append,
// upsert; see pg-transaction.ts), with a publish ledger for targets that read {{ pending_batches }}. The
// connection URL comes from an environment variable; its password never reaches a message.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectionPasswords, maskAll, redactConnection } from '../../sql/conninfo.js';
import { sqlIdent, sqlString } from '../../sql/quote.js';
import { readsPending, type Delivered, type Delivery, type PublishKind } from '../kind.js';
import { isTable, parseTable, type PgTable } from './names.js';
import { explainPgError } from './errors.js';
import { planColumn } from './types.js';
import type { PgSession } from './delivery.js';

/** The connection URL with its password replaced, for messages. */
export const redact = redactConnection;

const client = () => import('./delivery.js'); // loads pg: only a publish worker needs it
const transaction = () => import('./transaction.js');

/** The target's URL, or why there is none usable. */
function urlOf(variable: string): string {
  const url = process.env[variable];
  if (!url)
    throw Object.assign(new Error(`${variable} is not set`), {
      hint: `export ${variable}=postgres://user:password@host:5432/db`,
    });
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw Object.assign(new Error(`${variable} is not a postgres:// URL: ${redact(url)}`), {
      hint: `write it as postgres://user:password@host:5432/db (key=value connection strings are not read; a password with @, : or / in it is percent-encoded: %40, %3A, %2F)`,
    });
  }
  return url;
}

async function deliver(d: Delivery, table: PgTable): Promise<Delivered> {
  const { session, target, sql, tmpDir } = d;
  const url = urlOf(target.options['url-env']);
  const { rows } = await session.query(`DESCRIBE (${sql})`);
  const columns = rows.map((r) => planColumn(String(r.column_name), String(r.column_type)));
  const csv = join(tmpDir, `publish-${createHash('sha256').update(target.destination).digest('hex').slice(0, 16)}.csv`);
  const select = `SELECT ${columns.map((c) => `${c.expression} AS ${sqlIdent(c.name)}`).join(', ')} FROM (${sql})`;
  let pg: PgSession | undefined;
  try {
    pg = await (await client()).connectPostgres(url, d.timeoutMs);
    return await (
      await transaction()
    ).deliverInTransaction(pg, {
      target,
      table,
      columns,
      runId: d.runId,
      pipeline: d.pipeline,
      batches: readsPending(sql) ? d.batches : undefined,
      exportRows: async (pending) => {
        if (pending) await d.offer(pending);
        await session.run(`COPY (${select}) TO ${sqlString(csv)} (FORMAT csv, HEADER false, FORCE_QUOTE *)`);
        return csv;
      },
    });
  } catch (error) {
    const explained = explainPgError(error, pg?.lost(), {
      url: redact(url),
      variable: target.options['url-env'],
      table: target.destination,
      timeoutMs: d.timeoutMs,
    });
    throw Object.assign(explained, { message: maskAll(explained.message, connectionPasswords(url)) });
  } finally {
    await pg?.end();
    rmSync(csv, { force: true });
  }
}

export const postgresKind: PublishKind = {
  name: 'postgres',
  example: 'ml.daily_revenue',
  modes: ['replace', 'append', 'upsert'],
  fields: { 'url-env': 'DUCKSTEPS_PG_URL', optional: 'no' },
  check(target) {
    const table = parseTable(target.destination);
    return isTable(table) ? undefined : table;
  },
  skip(target) {
    const variable = target.options['url-env'];
    return /^(yes|true)\b/i.test(target.options.optional) && !process.env[variable]
      ? `${variable} is not set`
      : undefined;
  },
  preload: async () => void (await Promise.all([client(), transaction()])),
  deliver: (d) => deliver(d, parseTable(d.target.destination) as PgTable),
  writes: (target) => ({ files: [], tables: [`postgres: ${target.destination}`] }),
};
