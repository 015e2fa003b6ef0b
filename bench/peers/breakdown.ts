// Where the time of the last measured run went, per step (ducksteps' logs/run_log.csv: wall, worker CPU,
// worker peak RSS) and per model or test (dbt's target/run_results.json), for one case's projects.
//   node --import tsx bench/peers/breakdown.ts tpch|example|small
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTable } from '../../packages/ducksteps/lib/report/tables.js';
import { REPO } from './tools.js';

const name = process.argv[2] ?? 'tpch';
const root = join(REPO, '.cache', 'peers', 'work', name);

/** The steps of ducksteps' latest run: [step, status, seconds, worker CPU s, worker peak RSS MB]. */
function duckstepsSteps(dir: string): string[][] {
  const lines = readFileSync(join(dir, 'logs', 'run_log.csv'), 'utf8')
    .trim()
    .split('\n');
  const head = lines[0].split(',');
  const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [head[i], v])));
  const last = rows[rows.length - 1].run_id;
  return rows
    .filter((r) => r.run_id === last)
    .map((r) => [
      r.step,
      r.status,
      (Number(r.duration_ms) / 1000).toFixed(2),
      (Number(r.cpu_ms) / 1000).toFixed(2),
      r.peak_rss_mb,
    ]);
}

/** dbt's latest run: [node, status, seconds]. */
function dbtNodes(dir: string): string[][] {
  const r = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
  return (r.results as Array<{ unique_id: string; status: string; execution_time: number }>).map((x) => [
    x.unique_id
      .split('.')
      .slice(0, 1)
      .concat(x.unique_id.split('.').slice(2))
      .join('.')
      .replace(/\.[0-9a-f]{10}$/, '')
      .slice(0, 70),
    x.status,
    x.execution_time.toFixed(2),
  ]);
}

const ds = duckstepsSteps(join(root, 'ducksteps'));
console.log(renderTable({ color: false }, ['ducksteps step', 'status', 's', 'worker CPU s', 'worker peak RSS MB'], ds));
console.log(`sum of steps: ${ds.reduce((s, r) => s + Number(r[2]), 0).toFixed(2)} s`);
if (existsSync(join(root, 'dbt', 'target', 'run_results.json'))) {
  const dbt = dbtNodes(join(root, 'dbt'));
  console.log(renderTable({ color: false }, ['dbt node', 'status', 's'], dbt));
  console.log(
    `sum of nodes: ${dbt.reduce((s, r) => s + Number(r[2]), 0).toFixed(2)} s (dbt runs up to its thread count at once)`,
  );
}
