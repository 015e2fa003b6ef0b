// Publish kind `postgres`: a query's rows to a PostgreSQL table in one transaction (replace, append,
// upsert); see postgres-delivery.ts. The connection URL comes from an environment variable.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { sqlIdent, sqlString } from '../sql/quote.js';
import type { PublishKind } from './kind.js';
import { planColumn } from './pg-types.js';

const TABLE = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** The connection URL with its password replaced, for messages. */
export const redact = (url: string) => url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');

const delivery = () => import('./postgres-delivery.js'); // loads pg: only a publish worker needs it

export const postgresKind: PublishKind = {
  name: 'postgres',
  example: 'ml.daily_revenue',
  modes: ['replace', 'append', 'upsert'],
  fields: { 'url-env': 'DUCKSTEPS_PG_URL', optional: 'no' },
  check(target) {
    if (!TABLE.test(target.destination)) return { message: `"${target.destination}" is not schema.table`, hint: 'e.g. -- publish: postgres ml.daily_revenue (plain names: letters, digits, _)' };
    return undefined;
  },
  skip(target) {
    const variable = target.options['url-env'];
    return /^(yes|true)\b/i.test(target.options.optional) && !process.env[variable] ? `${variable} is not set` : undefined;
  },
  preload: async () => void (await delivery()),
  async deliver({ session, target, sql, tmpDir }) {
    const variable = target.options['url-env'];
    const url = process.env[variable];
    if (!url) throw Object.assign(new Error(`${variable} is not set`), { hint: `export ${variable}=postgres://user:password@host:5432/db` });
    const { rows } = await session.query(`DESCRIBE (${sql})`);
    const columns = rows.map((r) => planColumn(String(r.column_name), String(r.column_type)));
    const csv = join(tmpDir, `${target.destination}.csv`);
    try {
      await session.run(`COPY (SELECT ${columns.map((c) => `${c.expression} AS ${sqlIdent(c.name)}`).join(', ')} FROM (${sql})) TO ${sqlString(csv)} (FORMAT csv, HEADER false, FORCE_QUOTE *)`);
      return await (await delivery()).deliverToPostgres(target, url, columns, csv);
    } catch (error) {
      const err = error as Error & { code?: string };
      if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'ETIMEDOUT') {
        throw Object.assign(new Error(`cannot connect to PostgreSQL (${err.code}) at ${redact(url)}`), { hint: `check that the server runs and ${variable} is right` });
      }
      throw error;
    } finally {
      rmSync(csv, { force: true });
    }
  },
  writes: (target) => ({ files: [], tables: [`postgres: ${target.destination}`] }),
};
