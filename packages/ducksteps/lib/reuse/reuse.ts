// What a run does not check twice (docs/assertions.md, "A run does not repeat a check whose answer it knows"):
// on a DuckDB file, an assertion whose SQL is unchanged and whose pass depended on nothing but the warehouse's
// tables — as DuckDB bound it when it passed, through views and macros (worker/bound.ts): no file, table
// function, clock or randomness — gives the same answer as long as the warehouse file is byte for byte the one
// it passed on. The file's identity and change time stand for that: any write moves its ctime, which no
// program can set back (unlike the mtime), so the stamp assumes only that the system clock does not go back.
// A run with nothing new therefore does not run them again; `--recheck` and `./run.sh test` always do. Unit
// tests: units.ts.
import { existsSync, statSync } from 'node:fs';
import type { Assertion, Settings } from '../model.js';
import type { AssertionResult } from '../results.js';
import { pipelineOf } from '../project/pipeline.js';
import { logsOf, warehouseOf } from '../warehouse.js';
import { BUILD, readPasses, sha, writePasses } from './passes.js';

/** A file as it is now: device, inode, size, and modification and change times to the nanosecond. */
function fileStamp(path: string): string {
  if (!existsSync(path)) return '-';
  const { dev, ino, size, mtimeNs, ctimeNs } = statSync(path, { bigint: true });
  return `${dev}:${ino}:${size}:${mtimeNs}:${ctimeNs}`;
}

/** The time zone DuckDB's sessions start in (TIMESTAMPTZ casts and ICU functions depend on it). */
const timeZone = () => `${process.env.TZ ?? ''}/${Intl.DateTimeFormat().resolvedOptions().timeZone}`;

/** The warehouse file as it is now; undefined where that cannot stand for its content (a DuckLake, a cluster). */
export function warehouseStamp(root: string, settings: Settings): string | undefined {
  const warehouse = warehouseOf(root, settings);
  if (warehouse.engine !== 'duckdb') return undefined;
  return `${BUILD}|${timeZone()}|${pipelineOf(root).name}|${warehouse.path}|${fileStamp(warehouse.path)}|${fileStamp(`${warehouse.path}.wal`)}`; // passes are this pipeline's
}

const assertionKey = (a: Assertion) => sha(`${a.severity}\n${a.sql}`);

/** The assertions whose pass this run can reuse (the warehouse unchanged since they passed), by name. */
export function reusableAssertions(
  root: string,
  settings: Settings,
  assertions: readonly Assertion[],
): Map<Assertion, string> {
  const reused = new Map<Assertion, string>();
  const passes = readPasses(root, 'assertion', logsOf(root, settings));
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
  writePasses(root, 'assertion', { stamp, runId, keys }, logsOf(root, settings));
}
