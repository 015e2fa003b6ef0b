// Inside the worker: run every assertion on a READ-ONLY connection, keep samples, write failing rows to CSV.
import { join } from 'node:path';
import { writeCsv, type Cell } from '../logs/csv.js';
import { openDatabase, type Database } from './duckdb.js';
import { hintFor, sqlMessage } from './sql-error.js';
import type { AssertJob, Assertion, AssertionResult, TestsReport } from '../types.js';

const SAMPLE = 5;

/** logs/test_failures/<name>.csv, with path separators and # made file-safe. */
export const failuresFileName = (name: string) => `${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.csv`;

/** Runs one assertion on an open connection (read-only, or a step's own transaction); never throws. */
export async function checkAssertion(db: Database, a: Assertion, failuresDir: string): Promise<AssertionResult> {
  const base = { name: a.name, file: a.file, line: a.line, severity: a.severity, compiled: a.compiled };
  const started = performance.now();
  if (a.error) return { ...base, status: 'error', failingRows: 0, durationMs: 0, columns: [], sample: [], error: a.error };
  try {
    const { columns, rows, total } = await db.query(a.sql);
    const durationMs = Math.round(performance.now() - started);
    if (total === 0) return { ...base, status: 'pass', failingRows: 0, durationMs, columns, sample: [] };
    const file = join(failuresDir, failuresFileName(a.name));
    writeCsv(file, columns, rows.map((r) => columns.map((c) => r[c] as Cell)));
    return {
      ...base, status: a.severity === 'warn' ? 'warn' : 'fail', failingRows: total, durationMs,
      columns, sample: rows.slice(0, SAMPLE), failuresFile: `logs/test_failures/${failuresFileName(a.name)}`,
    };
  } catch (error) {
    const message = sqlMessage(error);
    return {
      ...base, status: 'error', failingRows: 0, durationMs: Math.round(performance.now() - started), columns: [], sample: [],
      error: { message, file: a.file, line: a.line, compiled: a.compiled, hint: hintFor(message) ?? 'fix the assertion query' },
    };
  }
}

/** The worker's whole assertion job: open read-only, run each assertion, close; never throws. */
export async function runAssertions(job: AssertJob): Promise<TestsReport> {
  const started = performance.now();
  let db: Database;
  try {
    db = await openDatabase(job.database, { threads: job.threads, memoryLimit: job.memoryLimit, readOnly: true, lockTimeoutMs: job.lockTimeoutMs });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return { status: 'failed', durationMs: 0, results: [], error: { message: `cannot open database ${job.database}: ${message}`, hint: hintFor(message) } };
  }
  const results: AssertionResult[] = [];
  try {
    for (const a of job.assertions) results.push(await checkAssertion(db, a, job.failuresDir));
  } finally {
    db.close();
  }
  return { status: results.some(blocks) ? 'failed' : 'ok', durationMs: Math.round(performance.now() - started), results };
}

/** Whether a result fails its run (or rolls back the step it gates): an error, or an error-severity failure. */
export const blocks = (r: AssertionResult) => r.status === 'error' || (r.status === 'fail' && r.severity === 'error');
