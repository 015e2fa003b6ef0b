// Inside the worker: assertions. One runs on an open session (read-only, or a step's own transaction),
// keeps a sample of its offending rows and writes all of them to CSV; the assert job runs many read-only.
import { dirname, join } from 'node:path';
import { writeCsv, type Cell } from '../logs/csv.js';
import { describe, openSession } from '../engines/open.js';
import type { Session } from '../engines/engine.js';
import type { Assertion, Connection } from '../model.js';
import type { AssertJob } from '../protocol.js';
import { blocks, type AssertionResult, type TestsReport } from '../results.js';
import { outsideWarehouse } from './bound.js';
import { hintFor, sqlMessage } from './sql-error.js';
import { lockWaits } from './lock-wait.js';

const SAMPLE = 5;

/** logs/test_failures/<name>.csv, with path separators and # made file-safe. */
export const failuresFileName = (name: string) => `${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.csv`;

/** Whether a pass on this warehouse may be reused while its file is unchanged (reuse/reuse.ts): a DuckDB file. */
export const reusesPasses = (connection: Connection) => connection.warehouse.engine === 'duckdb';

/** Runs one assertion on an open session; never throws. `reusable`: a pass or a warning also says what it
 * depends on besides the warehouse's tables (worker/bound.ts), so a later run knows whether it may reuse it. */
export async function checkAssertion(
  session: Session,
  a: Assertion,
  failuresDir: string,
  reusable = false,
): Promise<AssertionResult> {
  const base = { name: a.name, file: a.file, line: a.line, severity: a.severity, compiled: a.compiled };
  const started = performance.now();
  if (a.error)
    return { ...base, status: 'error', failingRows: 0, durationMs: 0, columns: [], sample: [], error: a.error };
  try {
    const { columns, rows, total } = await session.query(a.sql);
    const durationMs = Math.round(performance.now() - started);
    if (total === 0) {
      // logs/compiled, beside logs/test_failures: where the list of DuckDB's consistent functions is kept
      const outside = reusable
        ? await outsideWarehouse(session, a.sql, join(dirname(failuresDir), 'compiled'))
        : undefined;
      return { ...base, status: 'pass', failingRows: 0, durationMs, columns, sample: [], outside };
    }
    const file = join(failuresDir, failuresFileName(a.name));
    const warns = a.severity === 'warn';
    const outside =
      reusable && warns ? await outsideWarehouse(session, a.sql, join(dirname(failuresDir), 'compiled')) : undefined;
    writeCsv(
      file,
      columns,
      rows.map((r) => columns.map((c) => r[c] as Cell)),
    );
    return {
      ...base,
      status: warns ? 'warn' : 'fail',
      failingRows: total,
      durationMs,
      columns,
      sample: rows.slice(0, SAMPLE),
      failuresFile: `logs/test_failures/${failuresFileName(a.name)}`,
      outside,
    };
  } catch (error) {
    const message = sqlMessage(error);
    return {
      ...base,
      status: 'error',
      failingRows: 0,
      durationMs: Math.round(performance.now() - started),
      columns: [],
      sample: [],
      error: {
        message,
        file: a.file,
        line: a.line,
        compiled: a.compiled,
        hint: hintFor(message) ?? 'fix the assertion query',
      },
    };
  }
}

/** The worker's assertion job: open read-only, run each assertion, close; never throws. */
export async function runAssertions(job: AssertJob): Promise<TestsReport> {
  const started = performance.now();
  let session: Session;
  try {
    session = await openSession(job.connection, { readOnly: true, onLockWait: lockWaits(job.connection).onLockWait });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return {
      status: 'failed',
      durationMs: 0,
      results: [],
      error: { message: `cannot open database ${describe(job.connection)}: ${message}`, hint: hintFor(message) },
    };
  }
  const results: AssertionResult[] = [];
  try {
    for (const a of job.assertions)
      results.push(await checkAssertion(session, a, job.failuresDir, reusesPasses(job.connection)));
  } finally {
    session.close();
  }
  return {
    status: results.some(blocks) ? 'failed' : 'ok',
    durationMs: Math.round(performance.now() - started),
    results,
  };
}
