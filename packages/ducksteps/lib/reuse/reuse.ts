// What a run does not check twice (docs/assertions.md, "A run does not repeat a check whose answer it knows"):
// on a DuckDB file, an assertion whose SQL is unchanged and whose answer (a pass, or a warning with its
// offending rows) depended on nothing but the warehouse's tables — as DuckDB bound it, through views and
// macros (worker/bound.ts): no file, table function, clock or randomness — gives the same answer as long as the
// warehouse file is byte for byte the one it was checked on. The file's identity and change time stand for that: any write moves its ctime, which no
// program can set back (unlike the mtime), so the stamp assumes only that the system clock does not go back.
// A run with nothing new therefore does not run them again; `--recheck` and `./run.sh test` always do. Unit
// tests: units.ts.
import { copyFileSync, existsSync, mkdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Assertion, Settings } from '../model.js';
import type { AssertionResult } from '../results.js';
import { pipelineOf } from '../project/pipeline.js';
import { logsOf, warehouseOf } from '../warehouse.js';
import { BUILD, readPasses, sha, writePasses, type Warned } from './passes.js';

/** A file as it is now: device, inode, size, and modification and change times to the nanosecond. */
function fileStamp(path: string): string {
  if (!existsSync(path)) return '-';
  const { dev, ino, size, mtimeNs, ctimeNs } = statSync(path, { bigint: true });
  return `${dev}:${ino}:${size}:${mtimeNs}:${ctimeNs}`;
}

/** The time zone DuckDB's sessions start in (TIMESTAMPTZ casts and ICU functions depend on it): TZ, else the
 * zone /etc/localtime links to, as ICU finds it; only where neither tells, Intl (its first use loads ICU's
 * zone data: ~30 ms a run). */
function timeZone(): string {
  if (process.env.TZ !== undefined) return `TZ=${process.env.TZ}`;
  try {
    return `localtime=${readlinkSync('/etc/localtime')}`;
  } catch {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  }
}

/** The warehouse file as it is now; undefined where that cannot stand for its content (a DuckLake, a cluster). */
export function warehouseStamp(root: string, settings: Settings): string | undefined {
  const warehouse = warehouseOf(root, settings);
  if (warehouse.engine !== 'duckdb') return undefined;
  return `${BUILD}|${timeZone()}|${pipelineOf(root).name}|${warehouse.path}|${fileStamp(warehouse.path)}|${fileStamp(`${warehouse.path}.wal`)}`; // passes are this pipeline's
}

const assertionKey = (a: Assertion) => sha(`${a.severity}\n${a.sql}`);

/** Where a warning's offending rows are kept between runs (logs/test_failures is emptied as a run starts). */
const keptFailures = (logs: string) => join(logs, 'compiled', 'assertion-warnings');

/** The assertions whose answer this run can reuse (the warehouse unchanged since they were checked), as the
 * stage reports them: a pass, or the same warning with its offending rows put back in logs/test_failures. */
export function reusableAssertions(
  root: string,
  settings: Settings,
  assertions: readonly Assertion[],
): Map<Assertion, AssertionResult> {
  const reused = new Map<Assertion, AssertionResult>();
  const logs = logsOf(root, settings);
  const passes = readPasses(root, 'assertion', logs);
  const stamp = warehouseStamp(root, settings);
  if (settings.recheck || !passes || stamp === undefined || passes.stamp !== stamp) return reused;
  for (const a of assertions) {
    const key = assertionKey(a);
    const from = passes.keys[key];
    if (!from || a.error) continue;
    const warned = passes.warned?.[key];
    if (!warned) reused.set(a, reusedResult(a, from));
    else if (restored(logs, warned.failuresFile))
      reused.set(a, { ...reusedResult(a, from), ...warned, status: 'warn' });
  }
  return reused;
}

/** Puts a kept warning's offending rows back where this run's report reads them; false when they are gone. */
function restored(logs: string, failuresFile: string): boolean {
  const name = failuresFile.split('/').pop()!;
  try {
    mkdirSync(join(logs, 'test_failures'), { recursive: true });
    copyFileSync(join(keptFailures(logs), name), join(logs, 'test_failures', name));
    return true;
  } catch {
    return false; // not kept (or unreadable): it runs
  }
}

/** A reused pass, as the stage reports it. */
const reusedResult = (a: Assertion, from: string): AssertionResult => ({
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

/** After a run that ended ok: every assertion that passed or warned depending on the warehouse's tables alone,
 * on the warehouse as the run leaves it (a warning's offending rows kept beside them). */
export function recordAssertionPasses(
  root: string,
  settings: Settings,
  runId: string,
  assertions: readonly Assertion[],
  results: readonly AssertionResult[],
): void {
  const stamp = warehouseStamp(root, settings);
  if (stamp === undefined) return;
  const logs = logsOf(root, settings);
  const byName = new Map(assertions.map((a) => [a.name, a]));
  const answered = results.filter(
    (r) =>
      (r.status === 'pass' || (r.status === 'warn' && r.failuresFile)) && r.outside?.length === 0 && byName.has(r.name),
  );
  const keys = Object.fromEntries(answered.map((r) => [assertionKey(byName.get(r.name)!), r.reused ?? runId]));
  const warned: Record<string, Warned> = {};
  rmSync(keptFailures(logs), { recursive: true, force: true });
  for (const r of answered.filter((r) => r.status === 'warn')) {
    const name = r.failuresFile!.split('/').pop()!;
    try {
      mkdirSync(keptFailures(logs), { recursive: true });
      copyFileSync(join(logs, 'test_failures', name), join(keptFailures(logs), name));
    } catch {
      delete keys[assertionKey(byName.get(r.name)!)]; // its rows not kept: it runs next time
      continue;
    }
    warned[assertionKey(byName.get(r.name)!)] = {
      failingRows: r.failingRows,
      columns: r.columns,
      sample: r.sample,
      failuresFile: r.failuresFile!,
    };
  }
  writePasses(root, 'assertion', { stamp, runId, keys, warned }, logs);
}
