// `logs`: compare the last run with earlier ones of the same warehouse, find the slowest statements and the
// failures.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { STEP_PATTERN } from '../model.js';
import { median, readLog, rowsOfRun, type LogRow } from './history.js';
import { onWarehouseOf, runWarehouses } from './run-warehouses.js';

export const SLOWER = 1.5;

export interface StepTiming {
  readonly step: string;
  readonly runId: string; // the run this row comes from (the latest run that ran the step)
  readonly status: string;
  readonly durationMs: number;
  readonly medianMs?: number; // of the previous runs' ok executions
  readonly ratio?: number;
  readonly slower: boolean;
  readonly error?: string;
}

export interface SlowStatement {
  readonly step: string;
  readonly location: string; // file:line
  readonly kind: string;
  readonly durationMs: number;
  readonly statement: string;
}

export interface Review {
  readonly runId?: string;
  readonly warehouse?: string; // what the last run ran against (logs/runs.csv); only its runs are compared
  readonly previousRuns: number;
  readonly steps: readonly StepTiming[];
  readonly slowest: readonly SlowStatement[];
}

/** Step rows of the run log, without the tests/run phase rows. */
const stepRows = (rows: readonly LogRow[]) => rows.filter((r) => STEP_PATTERN.test(r.step));

function statementRows(logsDir: string, runId: string, only?: string): LogRow[] {
  if (!existsSync(logsDir)) return [];
  return readdirSync(logsDir)
    .filter((f) => f.endsWith('.csv') && STEP_PATTERN.test(f.slice(0, -4)) && (!only || f.slice(0, -4) === only))
    .flatMap((f) => rowsOfRun(join(logsDir, f), runId));
}

/** The last run's steps beside the median of up to `runs` earlier runs of its warehouse, and its slowest
 * statements (`logsDir`: the target's logs folder). */
export function reviewLogs(logsDir: string, runs = 10, only?: string, top = 10): Review {
  const all = stepRows(readLog(join(logsDir, 'run_log.csv'))).filter((r) => !only || r.step === only);
  const runId = all.at(-1)?.run_id;
  if (!runId) return { previousRuns: 0, steps: [], slowest: [] };
  const warehouses = runWarehouses(logsDir);
  const rows = onWarehouseOf(all, runId, warehouses);
  const order = [...new Set(rows.map((r) => r.run_id))];
  const previous = new Set(order.slice(Math.max(0, order.length - 1 - runs), -1));
  // every step's latest row, from whichever run last ran it (after --only, the others come from earlier runs)
  const latest = new Map<string, LogRow>();
  for (const r of rows) if (r.status !== 'skipped' && r.status !== 'up to date') latest.set(r.step, r);
  const steps = [...latest.values()].map((r): StepTiming => {
    const earlier = [
      ...new Set(rows.filter((h) => h.step === r.step && h.run_id < r.run_id).map((h) => h.run_id)),
    ].slice(-runs);
    const history = rows
      .filter((h) => earlier.includes(h.run_id) && h.step === r.step && h.status === 'ok')
      .map((h) => Number(h.duration_ms));
    const medianMs = median(history);
    const durationMs = Number(r.duration_ms);
    const ratio = medianMs ? durationMs / medianMs : undefined;
    return {
      step: r.step,
      runId: r.run_id,
      status: r.status,
      durationMs,
      medianMs,
      ratio,
      slower: ratio !== undefined && ratio >= SLOWER,
      error: r.error || undefined,
    };
  });
  const slowest = statementRows(logsDir, runId, only)
    .map((r) => ({
      step: r.step,
      location: `${r.file}:${r.line}`,
      kind: r.kind,
      durationMs: Number(r.duration_ms),
      statement: r.statement,
    }))
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, top);
  return { runId, warehouse: warehouses.get(runId), previousRuns: previous.size, steps, slowest };
}
