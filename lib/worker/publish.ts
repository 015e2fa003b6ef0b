// Inside the worker: the publish phase. Reads the database read-only and delivers each target in turn;
// the first failure stops the phase (the targets after it are skipped). Never throws.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Database } from './duckdb.js';
import { sqlMessage } from './sql-error.js';
import { deliverToFile } from '../publish/files.js';
import { planColumn } from '../publish/pg-types.js';
import { deliverToPostgres, redact } from '../publish/postgres.js';
import type { PublishJob, PublishOutcome } from '../types.js';

async function toPostgres(db: Database, job: PublishJob, target: PublishJob['targets'][number]) {
  const url = process.env[target.urlEnv];
  if (!url) throw Object.assign(new Error(`${target.urlEnv} is not set`), { hint: `export ${target.urlEnv}=postgres://user:password@host:5432/db` });
  const { rows } = await db.query(`DESCRIBE (${target.sql})`);
  const columns = rows.map((r) => planColumn(String(r.column_name), String(r.column_type)));
  const csv = join(job.tmpDir, `${target.destination}.csv`);
  try {
    await db.run(`COPY (SELECT ${columns.map((c) => `${c.expression} AS "${c.name.replace(/"/g, '""')}"`).join(', ')} FROM (${target.sql})) TO '${csv.replace(/'/g, "''")}' (FORMAT csv, HEADER false, FORCE_QUOTE *)`);
    return await deliverToPostgres(target, url, columns, csv);
  } catch (error) {
    const err = error as Error & { code?: string; address?: string; port?: number };
    if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'ETIMEDOUT') {
      throw Object.assign(new Error(`cannot connect to PostgreSQL (${err.code}) at ${redact(url)}`), { hint: `check that the server runs and ${target.urlEnv} is right` });
    }
    throw error;
  } finally {
    rmSync(csv, { force: true });
  }
}

function failure(error: unknown): { message: string; hint?: string } {
  const err = error as Error & { hint?: string };
  const message = (err?.message ?? String(error)).split('\n')[0];
  return { message: /Error: /.test(message) && !err.hint ? sqlMessage(error) : message, hint: err.hint };
}

/** Delivers every target; returns one outcome per target. */
export async function publishTargets(job: PublishJob): Promise<PublishOutcome[]> {
  const db = await openDatabase(job.database, { readOnly: true, lockTimeoutMs: job.lockTimeoutMs, threads: job.threads, memoryLimit: job.memoryLimit });
  const outcomes: PublishOutcome[] = [];
  try {
    for (const target of job.targets) {
      if (outcomes.some((o) => o.status === 'failed')) {
        outcomes.push({ destination: target.destination, status: 'skipped', rows: 0, bytes: 0, durationMs: 0 });
        continue;
      }
      const started = performance.now();
      if (target.kind === 'postgres' && target.optional && !process.env[target.urlEnv]) {
        outcomes.push({ destination: target.destination, status: 'skipped', rows: 0, bytes: 0, durationMs: 0, note: `${target.urlEnv} is not set` });
        continue;
      }
      try {
        const done = target.kind === 'file'
          ? await deliverToFile(job.projectRoot, target.destination, target.sql, async (sql) => (await db.run(sql)).rowsChanged)
          : await toPostgres(db, job, target);
        outcomes.push({ destination: target.destination, status: 'ok', ...done, durationMs: Math.round(performance.now() - started) });
      } catch (error) {
        const { message, hint } = failure(error);
        outcomes.push({ destination: target.destination, status: 'failed', rows: 0, bytes: 0, durationMs: Math.round(performance.now() - started), error: { message: `publish ${target.destination}: ${message}`, file: target.file, hint: hint ?? 'nothing was published to this target; it is as it was' } });
      }
    }
    return outcomes;
  } finally {
    db.close();
  }
}
