// `logs`' view of batches: the latest batches in run_log.csv, which steps committed each, and how — of the
// warehouse the last run ran against (batch ids are a warehouse's own).
import { join } from 'node:path';
import { readLog } from './history.js';
import { onWarehouseOf, runWarehouses } from './run-warehouses.js';

export interface BatchRow {
  readonly batchId: number;
  readonly files: number;
  readonly steps: readonly string[]; // steps that committed it (status ok)
  readonly status: string; // ok when every run of it succeeded, else the last status that was not ok
  readonly rows: number;
  readonly runs: readonly string[];
}

/** The last `count` batches of the warehouse `runId` ran against, newest first (`logs`: the target's folder). */
export function recentBatches(logs: string, runId: string, count = 10): BatchRow[] {
  const rows = onWarehouseOf(readLog(join(logs, 'run_log.csv')), runId, runWarehouses(logs)).filter((r) => r.batch_id);
  const byBatch = new Map<number, typeof rows>();
  for (const r of rows) byBatch.set(Number(r.batch_id), [...(byBatch.get(Number(r.batch_id)) ?? []), r]);
  return [...byBatch.entries()]
    .sort((a, b) => b[0] - a[0])
    .slice(0, count)
    .map(([batchId, list]) => {
      const failed = list.filter((r) => r.status !== 'ok');
      const committed = list.filter((r) => r.status === 'ok');
      return {
        batchId,
        files: Number(list[0].batch_files || 0),
        steps: [...new Set(committed.map((r) => r.step))],
        status:
          failed.length > 0 && !committed.some((c) => c.step === failed.at(-1)!.step) ? failed.at(-1)!.status : 'ok',
        rows: committed.reduce((sum, r) => sum + Number(r.rows_changed || 0), 0),
        runs: [...new Set(list.map((r) => r.run_id))],
      };
    });
}
