// What the HTML report shows, read back from logs/: the latest run (its steps, statements, assertions,
// publish targets) and the trend of every step over the last runs. Plain data, serialised into the page.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../logs/csv.js';
import { readLastRun, readLogTail, rowsOfRun, type LogRow } from '../../logs/history.js';
import { STEP_PATTERN } from '../../model.js';

export interface ReportData {
  readonly runId: string;
  readonly status: string;
  readonly error?: string; // why the run itself failed or stopped (its `run` row)
  readonly startedAt: string;
  readonly durationMs: number;
  readonly command?: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly batches: { readonly count: number; readonly files: number; readonly rows: number };
  readonly steps: ReadonlyArray<Record<string, string | number | null>>;
  readonly statements: ReadonlyArray<Record<string, string | number>>;
  readonly trends: ReadonlyArray<Record<string, string | number>>;
  readonly tests: ReadonlyArray<Record<string, string | number>>;
  readonly failures: ReadonlyArray<{
    readonly test: string;
    readonly columns: string[];
    readonly rows: string[][];
    readonly total: number;
  }>;
  /** Unit tests (tests.csv rows of kind `unit`), each failure with the start of its diff (logs/unit_failures/). */
  readonly unitTests: ReadonlyArray<Record<string, string | number>>;
  readonly publish: ReadonlyArray<Record<string, string | number>>;
  /** How old each input's newest file was when the run started (logs/run_results.json "sources"). */
  readonly inputs: ReadonlyArray<Record<string, string | number | null>>;
  /** Each table's columns with their upstream columns, and what could not be resolved (logs/manifest.json). */
  readonly columns: Readonly<Record<string, ColumnsOfTable>>;
}

export interface ColumnsOfTable {
  readonly columns: ReadonlyArray<{
    readonly name: string;
    readonly from: ReadonlyArray<{ source: string; how: string }>;
  }>;
  readonly unresolved: readonly string[];
}

const TREND_RUNS = 20;
const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));

function statementsOf(logsDir: string, runId: string): Array<Record<string, string | number>> {
  return readdirSync(logsDir)
    .filter((f) => f.endsWith('.csv') && STEP_PATTERN.test(f.slice(0, -4)))
    .flatMap((f) => rowsOfRun(join(logsDir, f), runId))
    .map((r) => ({
      step: r.step,
      batch: r.batch_id ?? '',
      where: `${r.file}:${r.line}`,
      kind: r.kind,
      ms: Number(r.duration_ms),
      rows: Number(r.rows_changed),
      status: r.status,
      statement: r.statement,
    }));
}

function failuresOf(logsDir: string, tests: readonly LogRow[]) {
  return tests
    .filter((t) => t.status === 'fail' || t.status === 'warn')
    .map((t) => {
      const file = join(logsDir, 'test_failures', `${t.test.replace(/[^A-Za-z0-9_.-]+/g, '_')}.csv`);
      const [columns = [], ...rows] = existsSync(file) ? parseCsv(readFileSync(file, 'utf8').slice(0, 200_000)) : [];
      return { test: t.test, columns, rows: rows.slice(0, 5), total: Number(t.failing_rows) };
    });
}

/** The first lines of a failed unit test's diff file (logs/unit_failures/<step>.<test>.txt). */
function unitDiff(logsDir: string, r: LogRow): string {
  if (r.status === 'pass') return '';
  const file = join(logsDir, 'unit_failures', `${r.test.replace(' › ', '.').replace(/[^A-Za-z0-9_.-]+/g, '_')}.txt`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(1, 41).join('\n') : '';
}

/** The inputs' freshness from the run's logs/run_results.json ([] for another run's, or none). */
function inputsOf(logsDir: string, runId: string): Array<Record<string, string | number | null>> {
  try {
    const doc = JSON.parse(readFileSync(join(logsDir, 'run_results.json'), 'utf8'));
    if (doc.metadata?.invocation_id !== runId) return [];
    return (doc.sources as Array<Record<string, any>>).map((s) => ({
      // eslint-disable-line @typescript-eslint/no-explicit-any
      input: String(s.unique_id).replace(/^source\./, ''),
      status: s.status,
      newest: s.newest_file,
      arrived: s.max_loaded_at,
      ageS: s.max_loaded_at_time_ago_in_s,
      warnS: s.criteria.warn_after_s,
      errorS: s.criteria.error_after_s,
    }));
  } catch {
    return [];
  }
}

/** The column lineage of the run's logs/manifest.json ({} for another run's, or none). */
function columnsOf(logsDir: string, runId: string): Record<string, ColumnsOfTable> {
  try {
    const doc = JSON.parse(readFileSync(join(logsDir, 'manifest.json'), 'utf8'));
    if (doc.metadata?.invocation_id !== runId) return {};
    const out: Record<string, ColumnsOfTable> = {};
    for (const [name, t] of Object.entries(
      doc.tables as Record<string, { columns: ColumnsOfTable['columns'] | null; unresolved: string[] }>,
    ))
      if (t.columns)
        out[name] = { columns: t.columns.map((c) => ({ name: c.name, from: c.from })), unresolved: t.unresolved };
    return out;
  } catch {
    return {};
  }
}

/** The report's data for the latest run in logs/, or undefined when there is none. */
export function reportData(logsDir: string): ReportData | undefined {
  // the last TREND_RUNS runs (and the one before, possibly cut): the log's tail, not all of it
  const all = readLogTail(join(logsDir, 'run_log.csv'), (rows) => new Set(rows.map((r) => r.run_id)).size > TREND_RUNS);
  // the latest run of the pipeline: `test --unit` logs a run of unit tests alone, which is not one
  const runId = (all.filter((r) => r.step !== 'unit tests').at(-1) ?? all.at(-1))?.run_id;
  if (!runId) return undefined;
  const rows = all.filter((r) => r.run_id === runId);
  const stepRows = rows.filter((r) => STEP_PATTERN.test(r.step));
  const times = rows
    .flatMap((r) => [r.started_at, r.finished_at])
    .filter(Boolean)
    .map((t) => Date.parse(t))
    .filter(Number.isFinite);
  const startedAt = times.length ? Math.min(...times) : 0; // a row without times (an older log): no start to show
  const failed = rows.some((r) => ['failed', 'interrupted', 'timed out'].includes(r.status));
  const last = readLastRun(logsDir);
  const recent = [...new Set(all.map((r) => r.run_id))].slice(-TREND_RUNS);
  const batched = stepRows.filter((r) => r.batch_id);
  const logged = rowsOfRun(join(logsDir, 'tests.csv'), runId);
  const tests = logged.filter((r) => r.kind !== 'unit'); // rows logged before the kind column are assertions
  return {
    runId,
    error: rows.find((r) => r.step === 'run')?.error || undefined,
    status: failed ? (rows.some((r) => r.status === 'interrupted') ? 'interrupted' : 'failed') : 'ok',
    startedAt: times.length ? new Date(startedAt).toISOString() : '',
    durationMs: times.length ? Math.max(...times) - startedAt : 0,
    command: last?.runId === runId ? last.command : undefined,
    vars: last?.runId === runId ? last.vars : {},
    batches: {
      count: new Set(batched.map((r) => r.batch_id)).size,
      files: [...new Map(batched.map((r) => [r.batch_id, Number(r.batch_files)])).values()].reduce((a, b) => a + b, 0),
      rows: batched.reduce((a, r) => a + Number(r.rows_changed || 0), 0),
    },
    steps: stepRows.map((r) => ({
      step: r.step,
      label: r.batch_id ? `${r.step} · batch ${r.batch_id}` : r.step,
      status: r.status,
      batch: r.batch_id || null,
      start: r.started_at ? Date.parse(r.started_at) - startedAt : null,
      end: r.finished_at ? Date.parse(r.finished_at) - startedAt : null,
      ms: Number(r.duration_ms),
      rows: Number(r.rows_changed || 0),
      statements: Number(r.statements || 0),
      peakMb: num(r.peak_rss_mb),
      cpuMs: num(r.cpu_ms),
      error: r.error,
    })),
    statements: statementsOf(logsDir, runId),
    trends: all
      .filter((r) => recent.includes(r.run_id) && STEP_PATTERN.test(r.step) && r.status === 'ok')
      .map((r) => ({
        run: r.run_id,
        run_index: recent.indexOf(r.run_id) + 1,
        step: r.step,
        ms: Number(r.duration_ms),
        rows: Number(r.rows_changed || 0),
        latest: r.run_id === runId ? 'latest' : 'earlier',
      })),
    tests: tests.map((r) => ({
      test: r.test,
      where: `${r.file}:${r.line}`,
      severity: r.severity,
      status: r.status,
      rows: Number(r.failing_rows || 0),
      ms: Number(r.duration_ms || 0),
      step: r.step ?? '',
      error: r.error,
    })),
    failures: failuresOf(logsDir, tests),
    unitTests: logged
      .filter((r) => r.kind === 'unit')
      .map((r) => ({
        test: r.test,
        where: `${r.file}:${r.line}`,
        step: r.step,
        status: r.status,
        rows: Number(r.failing_rows || 0),
        ms: Number(r.duration_ms || 0),
        error: r.error,
        diff: unitDiff(logsDir, r),
      })),
    inputs: inputsOf(logsDir, runId),
    columns: columnsOf(logsDir, runId),
    publish: rows
      .filter((r) => r.step.startsWith('publish '))
      .map((r) => ({
        target: r.step.slice(8),
        status: r.status,
        rows: Number(r.rows_changed || 0),
        bytes: Number(r.bytes || 0),
        ms: Number(r.duration_ms || 0),
        error: r.error,
      })),
  };
}
