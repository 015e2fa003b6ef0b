// Settings: package.json "ducksteps" defaults, overridden by the command line.
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import type { Settings } from '../types.js';

export interface CliSettings {
  readonly db?: string;
  readonly var?: readonly string[];
  readonly threads?: string;
  readonly 'memory-limit'?: string;
  readonly 'step-timeout'?: string;
  readonly 'lock-timeout'?: string;
}

interface FileSettings {
  database?: unknown;
  vars?: unknown;
  threads?: unknown;
  memoryLimit?: unknown;
  stepTimeout?: unknown;
  lockTimeout?: unknown;
}

function readPackageSettings(root: string): FileSettings {
  const path = join(root, 'package.json');
  if (!existsSync(path)) return {};
  try {
    const value = (JSON.parse(readFileSync(path, 'utf8')) as { ducksteps?: unknown }).ducksteps ?? {};
    if (typeof value !== 'object' || value === null) throw new Error('"ducksteps" must be an object');
    return value as FileSettings;
  } catch (cause) {
    throw new ConfigError(`cannot read settings: ${(cause as Error).message}`, { file: 'package.json', cause, hint: 'fix the JSON; see docs/running.md for the "ducksteps" keys' });
  }
}

/** Parses repeated --var name=value flags. */
export function parseVars(pairs: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--var "${pair}" is not name=value`, { hint: 'write it as --var orders=1000' });
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return vars;
}

function positiveInt(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number >= 1, got "${value}"`);
  return n;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "90", "90s", "1.5m", "500ms", "2h" -> milliseconds (a bare number is seconds). */
export function parseDuration(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const match = String(value).trim().match(/^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/);
  if (!match || Number(match[1]) <= 0) {
    throw new UsageError(`${flag} must be a duration like 30s, 5m or 1h, got "${value}"`);
  }
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 's']);
}

const DUCKDB_MAGIC = 'DUCK'; // bytes 8-11 of every DuckDB database file

/** Whether an existing file is a DuckDB database (a CSV or JSON file would be read as a table instead). */
function isDuckdbFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(12);
    return readSync(fd, head, 0, 12, 0) === 12 && head.toString('latin1', 8, 12) === DUCKDB_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** Refuses a --db that is empty, in memory, a folder, or an existing file that is not a DuckDB database. */
function checkDatabaseFile(root: string, database: string): void {
  const hint = 'give the path of a DuckDB database file, existing or new (e.g. --db data/warehouse.duckdb)';
  if (database.trim() === '') throw new UsageError('--db is empty', { hint });
  if (database === ':memory:' || database.startsWith(':memory:')) {
    throw new UsageError('--db :memory: cannot work: each step runs in its own process, so an in-memory database would vanish after the first step', { hint });
  }
  const path = resolve(root, database);
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) throw new UsageError(`--db ${database} is a folder, not a database file`, { hint });
  if (statSync(path).size > 0 && !isDuckdbFile(path)) {
    throw new UsageError(`--db ${database} exists and is not a DuckDB database (DuckDB would read it as a table and save nothing)`, { hint });
  }
}

/** Checks the database path, and that its folder exists and is writable, before any step runs. */
export function checkDatabasePath(root: string, database: string): void {
  checkDatabaseFile(root, database);
  const folder = dirname(resolve(root, database));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ConfigError(`the folder for the database does not exist: ${dirname(database)}`, { hint: `create it (mkdir -p ${dirname(database)}) or choose another --db` });
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new ConfigError(`the folder for the database is not writable: ${dirname(database)}`, { hint: 'choose another --db or fix the folder permissions' });
  }
}

/** Merges package.json defaults and command-line flags into the build's settings. */
export function loadSettings(root: string, cli: CliSettings = {}): Settings {
  const file = readPackageSettings(root);
  const fileVars = (file.vars ?? {}) as Record<string, unknown>;
  if (typeof fileVars !== 'object') throw new ConfigError('"ducksteps"."vars" must be an object', { file: 'package.json' });
  const vars = { ...Object.fromEntries(Object.entries(fileVars).map(([k, v]) => [k, String(v)])), ...parseVars(cli.var ?? []) };
  return {
    database: cli.db ?? (typeof file.database === 'string' ? file.database : 'data/warehouse.duckdb'),
    vars,
    threads: positiveInt(cli.threads ?? file.threads, '--threads'),
    memoryLimit: cli['memory-limit'] ?? (typeof file.memoryLimit === 'string' ? file.memoryLimit : undefined),
    stepTimeoutMs: parseDuration(cli['step-timeout'] ?? file.stepTimeout, '--step-timeout'),
    lockTimeoutMs: parseDuration(cli['lock-timeout'] ?? file.lockTimeout, '--lock-timeout'),
  };
}
