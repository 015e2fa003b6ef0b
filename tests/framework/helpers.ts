// Shared test helpers: fixture projects in t.testdir(), the real CLI in a subprocess, real DuckDB queries.
import { execa } from 'execa';
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { openDatabase } from '../../lib/engines/duckdb/database.js';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(REPO, 'tests', 'framework', 'fixtures');
const CLI = join(REPO, 'dist', 'run.js');

type Tree = { [name: string]: string | Tree };

/** A project folder for one test: a named fixture copied in, plus extra files. */
export function project(t: Test, fixture?: string, files: Tree = {}): string {
  const dir = t.testdir({ data: {}, ...files });
  if (fixture) cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

/** Runs the compiled CLI (what run.sh runs) in `cwd`, never throwing on a non-zero exit. */
export function cli(cwd: string, args: string[] = [], env: Record<string, string> = {}) {
  return execa(process.execPath, [CLI, ...args], { cwd, reject: false, env: { NO_COLOR: '1', ...env } });
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
  for (const entry of ['sql', 'steps', 'publish', 'run.sh', 'run.ts', 'tsconfig.json', 'package.json']) {
    cpSync(join(REPO, entry), join(dir, entry), { recursive: true, preserveTimestamps: true });
  }
  cpSync(join(REPO, 'tests'), join(dir, 'tests'), { recursive: true, filter: (src) => !src.includes('framework') });
  for (const shared of ['node_modules', 'dist', 'lib']) symlinkSync(join(REPO, shared), join(dir, shared));
  return dir;
}
