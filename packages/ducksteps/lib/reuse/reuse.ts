// What a run does not check twice (docs/assertions.md, "A run does not repeat a check whose answer it knows").
// Unit tests: a test whose whole input — its fixture, the step's rendered SQL, its script and everything that
// script may import, the framework build — hashes the same as one that passed gives the same answer (an
// in-memory DuckDB, time frozen). Assertions: on a DuckDB file, an assertion whose SQL is unchanged and whose
// pass depended on nothing but the warehouse's tables — as DuckDB bound it when it passed, through views and
// macros (worker/bound.ts): no file, table function, clock or randomness — gives the same answer as long as the
// warehouse file is byte for byte the one it passed on. The file's identity and change time stand for that:
// any write moves its ctime, which no program can set back (unlike the mtime), so the stamp assumes only that
// the system clock does not go back. A run with nothing new therefore re-runs neither; `--recheck` and
// `./run.sh test` always run everything.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Assertion, Settings } from '../model.js';
import type { UnitTestCase } from '../protocol.js';
import type { AssertionResult } from '../results.js';
import type { UnitTestResult } from '../unit-tests.js';
import { warehouseOf } from '../warehouse.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const passesFile = (root: string, what: 'unit' | 'assertion') => join(root, 'logs', 'compiled', `${what}-passes.json`);

/** This build of the framework (tsc rewrites every output file): a changed framework checks again. */
const BUILD = (() => {
  try {
    const s = statSync(fileURLToPath(import.meta.url));
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return String(Math.random()); // not found: never reuse
  }
})();

interface Passes {
  readonly stamp?: string; // assertions: the warehouse file they passed on
  readonly runId: string;
  readonly keys: Readonly<Record<string, string>>; // key -> the run that checked it
}

function readPasses(root: string, what: 'unit' | 'assertion'): Passes | undefined {
  try {
    return existsSync(passesFile(root, what))
      ? (JSON.parse(readFileSync(passesFile(root, what), 'utf8')) as Passes)
      : undefined;
  } catch {
    return undefined; // unreadable: everything runs
  }
}

function writePasses(root: string, what: 'unit' | 'assertion', passes: Passes): void {
  try {
    writeFileSync(passesFile(root, what), JSON.stringify(passes));
  } catch {
    // not written: the next run checks everything again
  }
}

/** A file as it is now: device, inode, size, and modification and change times to the nanosecond. */
function fileStamp(path: string): string {
  if (!existsSync(path)) return '-';
  const { dev, ino, size, mtimeNs, ctimeNs } = statSync(path, { bigint: true });
  return `${dev}:${ino}:${size}:${mtimeNs}:${ctimeNs}`;
}

/** The time zone DuckDB's sessions start in (TIMESTAMPTZ casts and ICU functions depend on it). */
const timeZone = () => `${process.env.TZ ?? ''}/${Intl.DateTimeFormat().resolvedOptions().timeZone}`;

/** The warehouse file as it is now; undefined where that cannot stand for its content (a DuckLake, Spark). */
export function warehouseStamp(root: string, settings: Settings): string | undefined {
  const warehouse = warehouseOf(root, settings);
  if (warehouse.engine !== 'duckdb') return undefined;
  return `${BUILD}|${timeZone()}|${warehouse.path}|${fileStamp(warehouse.path)}|${fileStamp(`${warehouse.path}.wal`)}`;
}

const assertionKey = (a: Assertion) => sha(`${a.severity}\n${a.sql}`);

/** The assertions whose pass this run can reuse (the warehouse unchanged since they passed), by name. */
export function reusableAssertions(
  root: string,
  settings: Settings,
  assertions: readonly Assertion[],
): Map<Assertion, string> {
  const reused = new Map<Assertion, string>();
  const passes = readPasses(root, 'assertion');
  const stamp = warehouseStamp(root, settings);
  if (settings.recheck || !passes || stamp === undefined || passes.stamp !== stamp) return reused;
  for (const a of assertions) {
    const from = passes.keys[assertionKey(a)];
    if (from && !a.error) reused.set(a, from);
  }
  return reused;
}

/** A reused pass, as the stage reports it. */
export const reusedResult = (a: Assertion, from: string): AssertionResult => ({
  name: a.name,
  file: a.file,
  line: a.line,
  severity: a.severity,
  status: 'pass',
  failingRows: 0,
  durationMs: 0,
  compiled: a.compiled,
  columns: [],
  sample: [],
  reused: from,
  outside: [],
});

/** After a run that ended ok: every assertion that passed depending on the warehouse's tables alone, on the
 * warehouse as the run leaves it. */
export function recordAssertionPasses(
  root: string,
  settings: Settings,
  runId: string,
  assertions: readonly Assertion[],
  results: readonly AssertionResult[],
): void {
  const stamp = warehouseStamp(root, settings);
  if (stamp === undefined) return;
  const byName = new Map(assertions.map((a) => [a.name, a]));
  const keys = Object.fromEntries(
    results
      .filter((r) => r.status === 'pass' && r.outside?.length === 0 && byName.has(r.name))
      .map((r) => [assertionKey(byName.get(r.name)!), r.reused ?? runId]),
  );
  writePasses(root, 'assertion', { stamp, runId, keys });
}

/** A unit test's whole input: what the worker receives, the step's script as it is, the framework build. */
function unitKey(root: string, c: UnitTestCase): string {
  const script = c.job?.scriptSource && existsSync(c.job.scriptSource) ? readFileSync(c.job.scriptSource, 'utf8') : '';
  const job = c.job && { ...c.job, script: undefined, ledger: c.job.ledger && { ...c.job.ledger, runId: '' } }; // the run id and where the script was compiled to are not inputs
  return sha(JSON.stringify([BUILD, root, { ...c, job }, script]));
}

/** The unit tests whose pass this run can reuse: the run that passed them, by case. */
export function reusableUnits(root: string, cases: readonly UnitTestCase[]): Map<UnitTestCase, string> {
  const reused = new Map<UnitTestCase, string>();
  const passes = readPasses(root, 'unit');
  if (!passes) return reused;
  for (const c of cases) {
    const from = c.job && !c.capture ? passes.keys[unitKey(root, c)] : undefined;
    if (from) reused.set(c, from);
  }
  return reused;
}

/** Keeps the passes of these cases (run now or reused) for the next run. */
export function recordUnitPasses(
  root: string,
  runId: string,
  cases: readonly UnitTestCase[],
  results: readonly UnitTestResult[],
): void {
  const keys: Record<string, string> = {};
  cases.forEach((c, i) => {
    if (results[i]?.status === 'pass' && c.job) keys[unitKey(root, c)] = results[i].reused ?? runId;
  });
  writePasses(root, 'unit', { runId, keys });
}
