// Settings: package.json "ducksteps" defaults, overridden by the command line.
import { closest } from './closest.js';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { clusterOf, ENGINE_NAMES, ENGINES, isCluster, isDialect } from '../engines/traits.js';
import { ConfigError, UsageError } from '../errors.js';
import type { Dialect, Settings } from '../model.js';
import { checkArchive, duplicatesSetting, inputsSetting } from './input-settings.js';
import { freshnessSetting } from './freshness-settings.js';
import { openLineageSetting } from './openlineage-settings.js';
import { policySetting } from './schema-settings.js';
import { checkTargetName, chosenTarget, declaredTargets, logsFolder } from './targets.js';

export interface CliSettings {
  readonly db?: string;
  readonly var?: readonly string[];
  readonly threads?: string;
  readonly 'memory-limit'?: string;
  readonly 'step-timeout'?: string;
  readonly 'publish-timeout'?: string;
  readonly 'lock-timeout'?: string;
  readonly 'batch-size'?: string;
  readonly 'full-refresh'?: boolean;
  readonly jobs?: string;
  readonly 'data-path'?: string;
  readonly engine?: string;
  readonly 'forget-missing'?: boolean;
  readonly recheck?: boolean;
  readonly 'ignore-freshness'?: boolean;
  readonly target?: string;
  readonly defer?: string;
  readonly state?: string;
}

export interface FileSettings {
  database?: unknown;
  inputs?: unknown;
  archive?: unknown;
  gates?: unknown;
  duplicates?: unknown;
  unitTests?: unknown;
  vars?: unknown;
  threads?: unknown;
  memoryLimit?: unknown;
  stepTimeout?: unknown;
  publishTimeout?: unknown;
  lockTimeout?: unknown;
  jobs?: unknown;
  dataPath?: unknown;
  extensionDir?: unknown;
  engine?: unknown;
  openlineage?: unknown;
  onSchemaChange?: unknown;
  targets?: unknown;
  target?: unknown;
}

const KEYS = [
  'database',
  'vars',
  'threads',
  'memoryLimit',
  'stepTimeout',
  'publishTimeout',
  'lockTimeout',
  'inputs',
  'archive',
  'duplicates',
  'gates',
  'unitTests',
  'jobs',
  'dataPath',
  'extensionDir',
  'engine',
  'openlineage',
  'onSchemaChange',
  'targets',
  'target',
];

/** How long one publish target may take when nothing says otherwise: a consumer holding a lock on the
 * target, or a stalled server, must not hang a scheduled run for ever. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5 * 60_000;

/** Refuses unknown keys and keys of the wrong type, instead of silently ignoring them. */
function checkKeys(settings: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(settings)) {
    if (!KEYS.includes(key)) {
      const near = closest(key, KEYS);
      throw new ConfigError(`unknown setting "ducksteps"."${key}"`, {
        file: 'package.json',
        hint: near ? `did you mean "${near}"?` : `known settings: ${KEYS.join(', ')} (docs/running.md)`,
      });
    }
    const want =
      key === 'vars' || key === 'inputs' || key === 'openlineage' || key === 'targets'
        ? 'object'
        : key === 'threads' || key === 'jobs'
          ? 'number'
          : key === 'gates' || key === 'unitTests'
            ? 'boolean'
            : 'string';
    const ok =
      want === 'object'
        ? typeof value === 'object' && value !== null && !Array.isArray(value)
        : typeof value === want ||
          (['lockTimeout', 'stepTimeout', 'publishTimeout'].includes(key) ? typeof value === 'number' : false);
    if (!ok)
      throw new ConfigError(
        `"ducksteps"."${key}" must be ${want === 'object' ? 'an object' : `a ${want}`}, got ${JSON.stringify(value)}`,
        { file: 'package.json', hint: 'see docs/running.md for the "ducksteps" keys' },
      );
  }
}

function readPackageSettings(root: string): FileSettings {
  const path = join(root, 'package.json');
  if (!existsSync(path)) return {};
  try {
    const value = (JSON.parse(readFileSync(path, 'utf8')) as { ducksteps?: unknown }).ducksteps ?? {};
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('"ducksteps" must be an object');
    checkKeys(value as Record<string, unknown>);
    return value as FileSettings;
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(`cannot read settings: ${(cause as Error).message}`, {
      file: 'package.json',
      cause,
      hint: 'fix the JSON; see docs/running.md for the "ducksteps" keys',
    });
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

/** A setting's name as the user wrote it: the flag, or the package.json key. */
const source = (cliValue: unknown, flag: string, key: string) =>
  cliValue !== undefined ? flag : `package.json "ducksteps"."${key}"`;

const MAX_THREADS_PER_CORE = 4;

function threadsSetting(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number >= 1, got "${value}"`);
  const cap = availableParallelism() * MAX_THREADS_PER_CORE;
  if (n > cap) {
    throw new UsageError(
      `${name} ${n} is more than ${MAX_THREADS_PER_CORE}× this machine's ${availableParallelism()} cores`,
      {
        hint: `use at most ${cap}; DuckDB gains nothing past the core count, and thousands of threads stall the machine`,
      },
    );
  }
  return n;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;
const BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** "2GB", "512MiB": checked here, not by DuckDB inside the first step. */
function memorySetting(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  const match = String(value).trim().match(SIZE);
  const bytes = match ? Number(match[1]) * BYTES[match[2].toLowerCase()] : NaN;
  if (!match || !(bytes > 0)) throw new UsageError(`${name} must be a size like 512MB or 4GB, got "${value}"`);
  if (bytes > totalmem()) {
    throw new UsageError(`${name} ${value} is more than this machine's memory (${(totalmem() / 1e9).toFixed(1)} GB)`, {
      hint: "give a limit below the machine's memory; DuckDB spills to disk beyond it",
    });
  }
  if (bytes < 1e7) throw new UsageError(`${name} ${value} is too small for DuckDB to run (at least 10MB)`);
  return String(value).trim();
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "90", "90s", "1.5m", "500ms", "2h" -> milliseconds (a bare number is seconds); 0 only where allowed. */
export function parseDuration(value: unknown, flag: string, zeroAllowed = false): number | undefined {
  if (value === undefined) return undefined;
  const match = String(value)
    .trim()
    .match(/^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/);
  if (!match || (Number(match[1]) <= 0 && !(zeroAllowed && Number(match[1]) === 0))) {
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
    throw new UsageError(
      '--db :memory: cannot work: each step runs in its own process, so an in-memory database would vanish after the first step',
      { hint },
    );
  }
  const path = resolve(root, database);
  if (!existsSync(path)) return;
  if (statSync(path).isDirectory()) throw new UsageError(`--db ${database} is a folder, not a database file`, { hint });
  if (statSync(path).size > 0 && !isDuckdbFile(path)) {
    throw new UsageError(
      `--db ${database} exists and is not a DuckDB database (DuckDB would read it as a table and save nothing)`,
      { hint },
    );
  }
}

/** A DuckLake string: `ducklake:` followed by a catalog; a catalog file's folder must exist. */
function checkLake(root: string, database: string): void {
  const spec = database.replace(/^ducklake:/i, '');
  const hint =
    'e.g. --db ducklake:postgres:dbname=lake host=db port=5432 user=etl (catalog in PostgreSQL) or --db ducklake:data/lake.ducklake (docs/scale.md)';
  if (spec.trim() === '') throw new UsageError('--db ducklake: names no catalog', { hint });
  if (/^postgres:/i.test(spec)) return;
  const file = resolve(root, spec.replace(/^sqlite:/i, ''));
  if (!existsSync(dirname(file)))
    throw new ConfigError(
      `the folder for the DuckLake catalog does not exist: ${dirname(spec.replace(/^sqlite:/i, ''))}`,
      { hint: `create it (mkdir -p ${dirname(spec.replace(/^sqlite:/i, ''))}) or choose another --db` },
    );
}

/** Checks the database path, and that its folder exists (`create`: the configured database's folder is
 * made when missing, e.g. after rm -rf data; a --db in a missing folder is more likely a typo) and is
 * writable, before any step runs. */
export function checkDatabasePath(root: string, database: string, create = false): void {
  if (/^ducklake:/i.test(database)) return checkLake(root, database);
  checkDatabaseFile(root, database);
  const folder = dirname(resolve(root, database));
  if (create && !existsSync(folder)) mkdirSync(folder, { recursive: true });
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new ConfigError(`the folder for the database does not exist: ${dirname(database)}`, {
      hint: `create it (mkdir -p ${dirname(database)}) or choose another --db`,
    });
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new ConfigError(`the folder for the database is not writable: ${dirname(database)}`, {
      hint: 'choose another --db or fix the folder permissions',
    });
  }
}

function wholeNumber(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number >= 1, got "${value}"`);
  return n;
}

/** An engine's name (engines/traits.ts): "duckdb" (a DuckDB file or a DuckLake, by --db) or a cluster engine
 * (the cluster its URL variable names, needed only by a command that connects to it). */
function engineSetting(value: unknown, name: string, cluster: boolean): Dialect | undefined {
  if (value === undefined || value === 'duckdb') return value;
  if (!isDialect(value) || !isCluster(value))
    throw new UsageError(`${name} must be ${ENGINE_NAMES.join(' or ')}, got "${value}"`, {
      hint: ENGINES.map((engine) => engine.runsOn).join('; '),
    });
  const { urlEnv, urlHint } = clusterOf(value);
  if (cluster && !process.env[urlEnv]) {
    throw new ConfigError(`${name} ${value} needs the cluster: ${urlEnv} is not set`, { hint: urlHint });
  }
  return value;
}

/** Merges package.json defaults and command-line flags into the build's settings. `cluster: false`: the command
 * never connects to a cluster (compile, list, docs, report, test --unit), so none need be named. */
export function loadSettings(root: string, cli: CliSettings = {}, { cluster = true } = {}): Settings {
  const file = readPackageSettings(root);
  const fileVars = (file.vars ?? {}) as Record<string, unknown>;
  if (typeof fileVars !== 'object')
    throw new ConfigError('"ducksteps"."vars" must be an object', { file: 'package.json' });
  const fileDatabase = typeof file.database === 'string' ? file.database : 'data/warehouse.duckdb';
  const fileDataPath = typeof file.dataPath === 'string' ? file.dataPath : undefined;
  const targets = declaredTargets(file.targets, fileDatabase);
  const target = chosenTarget(targets, cli.target, file.target);
  const deferName = cli.defer ?? target?.defer;
  const deferTo = deferName === undefined ? undefined : checkTargetName(targets, deferName, '--defer');
  if (deferTo && deferTo.name === target?.name)
    throw new UsageError(`--defer ${deferTo.name} names the target this run builds`, {
      hint: 'defer to another target, e.g. ./run.sh --target dev --defer prod',
    });
  const stateName = cli.state ?? deferTo?.name;
  const stateTarget = stateName === undefined ? target : checkTargetName(targets, stateName, '--state');
  const vars = {
    ...Object.fromEntries(Object.entries(fileVars).map(([k, v]) => [k, String(v)])),
    ...target?.vars,
    ...parseVars(cli.var ?? []),
  };
  const inputs = inputsSetting(file.inputs);
  const archive = typeof file.archive === 'string' && file.archive.trim() !== '' ? file.archive : undefined;
  checkArchive(root, inputs, archive);
  return {
    database: cli.db ?? target?.database ?? fileDatabase,
    databaseFromFlag: cli.db !== undefined,
    vars,
    threads: threadsSetting(cli.threads ?? file.threads, source(cli.threads, '--threads', 'threads')),
    memoryLimit: memorySetting(
      cli['memory-limit'] ?? file.memoryLimit,
      source(cli['memory-limit'], '--memory-limit', 'memoryLimit'),
    ),
    stepTimeoutMs: parseDuration(
      cli['step-timeout'] ?? file.stepTimeout,
      source(cli['step-timeout'], '--step-timeout', 'stepTimeout'),
    ),
    publishTimeoutMs:
      parseDuration(
        cli['publish-timeout'] ?? file.publishTimeout,
        source(cli['publish-timeout'], '--publish-timeout', 'publishTimeout'),
      ) ?? DEFAULT_PUBLISH_TIMEOUT_MS,
    lockTimeoutMs: parseDuration(
      cli['lock-timeout'] ?? file.lockTimeout,
      source(cli['lock-timeout'], '--lock-timeout', 'lockTimeout'),
      true,
    ),
    inputs,
    freshness: freshnessSetting(file.inputs),
    ignoreFreshness: cli['ignore-freshness'] === true,
    openlineage: openLineageSetting(file.openlineage),
    archive,
    duplicates: duplicatesSetting(file.duplicates),
    batchSize: wholeNumber(cli['batch-size'], '--batch-size'),
    fullRefresh: cli['full-refresh'] === true,
    forgetMissing: cli['forget-missing'] === true,
    recheck: cli.recheck === true,
    gates: file.gates !== false,
    unitTests: file.unitTests !== false,
    jobs: wholeNumber(cli.jobs ?? file.jobs, source(cli.jobs, '--jobs', 'jobs')),
    dataPath: cli['data-path'] ?? target?.dataPath ?? fileDataPath,
    extensionDir:
      process.env.DUCKSTEPS_EXTENSION_DIR || (typeof file.extensionDir === 'string' ? file.extensionDir : undefined),
    engine: engineSetting(cli.engine ?? file.engine, source(cli.engine, '--engine', 'engine'), cluster),
    onSchemaChange: policySetting(file.onSchemaChange),
    target: target?.name,
    logs: logsFolder(root, target, file.target),
    publishTo: target?.publish,
    state: { target: stateTarget?.name, logs: logsFolder(root, stateTarget, file.target) },
    defer: deferTo && {
      target: deferTo.name,
      database: deferTo.database ?? fileDatabase,
      dataPath: deferTo.dataPath ?? fileDataPath,
    },
  };
}
