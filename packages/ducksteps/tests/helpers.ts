// Shared test helpers: fixture projects in t.testdir(), the real CLI in a subprocess, real DuckDB queries.
import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { openDatabase } from '../lib/engines/duckdb/database.js';
import { artifactTimes, checkArtifacts } from './artifacts.js';

/** The repository: the example project, with the framework's package in packages/ducksteps. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The framework's package. */
export const PKG = join(REPO, 'packages', 'ducksteps');
export const FIXTURES = join(PKG, 'tests', 'fixtures');
/** The ducksteps command (what ./run.sh runs). */
export const CLI = join(PKG, 'bin', 'ducksteps.js');

type Tree = { [name: string]: string | Tree };

/** A project folder for one test: a named fixture copied in, plus extra files. */
export function project(t: Test, fixture?: string, files: Tree = {}): string {
  const dir = t.testdir({ data: {}, ...files });
  if (fixture) cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

/** Runs the compiled CLI (what run.sh runs) in `cwd`, never throwing on a non-zero exit. Awaiting it also checks
 * the run artifacts it wrote (logs/run_results.json, logs/manifest.json) against their schemas. */
export function cli(cwd: string, args: string[] = [], env: Record<string, string> = {}) {
  const before = artifactTimes(cwd);
  const child = execa(process.execPath, [CLI, ...args], { cwd, reject: false, env: { NO_COLOR: '1', ...env } });
  const then = child.then.bind(child);
  child.then = ((ok, failed) =>
    then((result) => {
      checkArtifacts(cwd, before);
      return result;
    }).then(ok, failed)) as typeof child.then;
  return child;
}

/** Rows of a query on a database file, opened read-only. */
export async function query(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const handle = await openDatabase(db, { readOnly: true });
  try {
    return (await handle.query(sql)).rows;
  } finally {
    handle.close();
  }
}

/** Rows of a CSV log, read by DuckDB itself (proves the file is valid CSV). */
export async function readCsv(path: string): Promise<Record<string, unknown>[]> {
  const handle = await openDatabase(':memory:');
  try {
    return (await handle.query(`SELECT * FROM read_csv('${path}', header = true, all_varchar = true)`)).rows;
  } finally {
    handle.close();
  }
}

export const read = (path: string) => readFileSync(path, 'utf8');

/** The error a function throws (fails the test if it throws nothing). */
export function caught(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected an error, none was thrown');
}

/** A copy of the repository's example project that runs through its own ./run.sh (or the CLI). */
export function exampleCopy(root: string, name = 'example'): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (const entry of ['sql', 'steps', 'publish', 'run.sh', 'run.ts', 'install.sh', 'tsconfig.json', 'package.json']) {
    cpSync(join(REPO, entry), join(dir, entry), { recursive: true, preserveTimestamps: true });
  }
  cpSync(join(REPO, 'tests'), join(dir, 'tests'), { recursive: true, filter: (src) => !src.includes('framework') });
  for (const shared of ['node_modules']) symlinkSync(join(REPO, shared), join(dir, shared));
  return dir;
}

/** Resolves when the running CLI has printed `text` on stdout (across chunks); rejects, with what it printed,
 * when it exits without printing it (a crashed CLI fails the test at once instead of hanging it). */
export const printed = (child: ReturnType<typeof cli>, text: string) =>
  new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += String(chunk);
      if (seen.includes(text)) resolve();
    });
    void child.then((done) => {
      if (String(done.stdout).includes(text)) return resolve();
      const how = done.signal ? `signal ${done.signal}` : `exit code ${done.exitCode}`;
      reject(
        new Error(`the CLI ended (${how}) without printing ${JSON.stringify(text)}:\n${done.stdout}\n${done.stderr}`),
      );
    });
  });

/** How many tables of the batch ledger (schema ducksteps) a database file holds: 0 when the file does not
 * exist (nothing was ever committed to it); a file that cannot be read (held by a process, damaged) fails. */
export async function ledgerTables(db: string): Promise<number> {
  if (!existsSync(db)) return 0;
  const [row] = await query(db, "SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = 'ducksteps'");
  return Number(row.n);
}

/** The example's tables. */
export const EXAMPLE_TABLES = [
  'raw.customers',
  'raw.products',
  'raw.orders',
  'raw.orders_malformed',
  'core.orders',
  'core.rejected_orders',
  'core.customers',
  'core.products',
  'core.orders_enriched',
  'mart.daily_revenue',
  'mart.customer_features',
];

// how a row was loaded (which batch, its position in that batch's scan) is not part of what it says
const BUSINESS_COLUMNS = "COLUMNS(c -> c NOT IN ('batch_id', 'source_row'))";

/** Rows of each example table in database `a` and not in `b`, and the other way round (both attached to `db`);
 * 0 everywhere when they hold the same rows. */
export async function exampleDifferences(db: {
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
}): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of EXAMPLE_TABLES) {
    const sql = `SELECT count(*) AS n FROM ((SELECT ${BUSINESS_COLUMNS} FROM a.${table} EXCEPT ALL SELECT ${BUSINESS_COLUMNS} FROM b.${table})
      UNION ALL (SELECT ${BUSINESS_COLUMNS} FROM b.${table} EXCEPT ALL SELECT ${BUSINESS_COLUMNS} FROM a.${table}))`;
    out[table] = Number((await db.query(sql)).rows[0].n);
  }
  return out;
}
