// The example on a local Spark cluster, measured: (1) its full build on Spark next to the same build on a DuckDB
// file; (2) where the Spark build's time goes, from its own logs, and so ducksteps' own overhead on Spark: the
// wall time minus what the cluster spent on the statements and assertions, publish and the local step. (A
// minimal client sending the same statements is not possible: the Spark files of 05_aggregate rebuild a table
// from itself with CREATE OR REPLACE TABLE, which only works through ducksteps' table versions.) Starts its
// own cluster (tests/framework/spark-cluster.ts).
//
//   npm run build && node --import tsx bench/spark.ts [--orders 1000000] [--days 30] [--pairs 3] [--no-write]
//
// Writes the figures between <!-- spark:start --> and <!-- spark:end --> in docs/performance.md.
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SparkConnect } from '../packages/ducksteps/lib/engines/spark/connect/index.js';
import { parseCsv } from '../packages/ducksteps/lib/logs/csv.js';
import { cli, exampleCopy, REPO } from '../packages/ducksteps/tests/helpers.js';
import { startSparkCluster } from '../packages/ducksteps/tests/spark-cluster.js';
import { median } from '../packages/ducksteps/lib/logs/history.js';

const { values: opt } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '30' },
    pairs: { type: 'string', default: '3' },
    'no-write': { type: 'boolean', default: false },
  },
});
const SIZE = ['--var', `orders=${opt.orders}`, '--var', `days=${opt.days}`];
const SPARK_STEPS = ['02_extract', '03_quality', '04_enrich', '05_aggregate'];
const root = join(REPO, '.cache', 'bench-spark');
rmSync(root, { recursive: true, force: true });

const seconds = async (what: string, work: () => Promise<{ exitCode?: number }>) => {
  const started = performance.now();
  const result = await work();
  const s = (performance.now() - started) / 1000;
  if (result.exitCode) throw new Error(`${what} failed (exit ${result.exitCode})`);
  console.error(`${what}: ${s.toFixed(1)} s (load ${loadavg()[0].toFixed(1)})`);
  return s;
};

/** Drops the example's schemas: the next build starts from an empty cluster catalog. */
async function emptyCluster(url: string) {
  const spark = await SparkConnect.connect(url);
  for (const schema of ['raw', 'core', 'mart']) await spark.sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await spark.close();
}

/** A copy of the example that builds from nothing each time (no warehouse, no landing files yet). */
function fresh(name: string): string {
  const dir = exampleCopy(root, name);
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  return dir;
}

/** The same statements, as the minimal client sends them: each Spark step's rendered files, then its gates. */
interface Breakdown {
  wall: number;
  spark: number;
  gates: number;
  publish: number;
  local: number;
  own: number;
}

/** A Spark build's seconds by where they went, from the run's logs (run_log.csv, the steps' CSVs, tests.csv). */
function breakdownOf(dir: string, wall: number): Breakdown {
  const rows = (file: string) => {
    const [head, ...body] = parseCsv(readFileSync(join(dir, 'logs', file), 'utf8'));
    return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
  };
  const runLog = rows('run_log.csv');
  const runId = runLog.at(-1)!.run_id;
  const mine = runLog.filter((r) => r.run_id === runId);
  const ms = (list: Array<Record<string, string>>) =>
    list.reduce((sum, r) => sum + Number(r.duration_ms || 0), 0) / 1000;
  const spark = SPARK_STEPS.reduce((sum, step) => sum + ms(rows(`${step}.csv`).filter((r) => r.run_id === runId)), 0);
  const gates = ms(rows('tests.csv').filter((r) => r.run_id === runId && r.kind !== 'unit'));
  const publish = ms(mine.filter((r) => r.step.startsWith('publish ')));
  const local = ms(mine.filter((r) => r.step === '01_generate' || r.step === 'unit tests'));
  return { wall, spark, gates, publish, local, own: wall - spark - gates - publish - local };
}

const cluster = await startSparkCluster();
const env = { DUCKSTEPS_SPARK_URL: cluster.url };
try {
  // (1) the full build, from nothing, on Spark and on a DuckDB file (01_generate, a local step, writes the files)
  const build = { spark: [] as number[], duckdb: [] as number[] };
  const breakdowns: Breakdown[] = [];
  for (let i = 0; i <= Number(opt.pairs); i++) {
    await emptyCluster(cluster.url);
    const dir = fresh(`spark${i}`);
    const s = await seconds(`full build on Spark #${i}`, () => cli(dir, ['--engine', 'spark', ...SIZE], env));
    if (i > 0) breakdowns.push(breakdownOf(dir, s));
    const d = await seconds(`full build on DuckDB #${i}`, () => cli(fresh(`duckdb${i}`), SIZE));
    if (i > 0) {
      build.spark.push(s);
      build.duckdb.push(d);
    } // #0 warms the cluster up
  }
  // (2) where a Spark build's time goes, from its own logs: statements Spark ran, gates, publish, the local
  // step, and the rest — ducksteps' own time (workers, rendering, the version bookkeeping, ledger, view switches)
  const overhead = breakdowns.map((b) => b);
  const section = report(build, overhead);
  console.log(section);
  if (!opt['no-write']) writeSection(section);
} finally {
  await cluster.stop();
  rmSync(root, { recursive: true, force: true });
}

function report(build: Record<'spark' | 'duckdb', number[]>, parts: readonly Breakdown[]): string {
  const m = (xs: number[]) => median(xs) ?? NaN;
  const range = (xs: number[]) => `${m(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
  const part = (key: keyof Breakdown) => range(parts.map((p) => p[key]));
  const orders = Number(opt.orders).toLocaleString('en-US');
  return [
    `Measured by \`node --import tsx bench/spark.ts --orders ${opt.orders} --days ${opt.days} --pairs ${opt.pairs}\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Spark 4.3.0 standalone on loopback (2 workers × 1 core, 1 GB; executors 512 MB; C1 JIT and serial GC), ledger in a DuckDB file. Medians (min–max) of ${opt.pairs} runs after one warm-up; seconds. The machine was shared with other jobs (load average ${loadavg()[0].toFixed(0)} at the end): read these as upper bounds.`,
    '',
    '| what | seconds | ratio |',
    '|---|---|---|',
    `| the example, full build from nothing (${orders} orders, ${opt.days} days, one batch), DuckDB file | ${range(build.duckdb)} | 1 |`,
    `| the same on Spark (\`--engine spark\`, the .spark.sql files) | ${range(build.spark)} | ${(m(build.spark) / m(build.duckdb)).toFixed(1)}× |`,
    '',
    "Where the Spark build's time goes (from its logs: statement and assertion durations as ducksteps timed them):",
    '',
    '| part | seconds |',
    '|---|---|',
    `| steps 02–05: their statements on the cluster (each write goes to a new table version) | ${part('spark')} |`,
    `| the 18 assertions (gates inside the steps, on the new versions) | ${part('gates')} |`,
    `| publish (rows read from the cluster into a local DuckDB copy, then delivered) | ${part('publish')} |`,
    `| 01_generate (a local step, DuckDB) and the unit tests | ${part('local')} |`,
    `| the rest: ducksteps' own time (workers, rendering, the ledger commit, the view switches, the report) | ${part('own')} |`,
  ].join('\n');
}
function writeSection(section: string) {
  const path = join(REPO, 'docs', 'performance.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const [start, end] = ['<!-- spark:start -->', '<!-- spark:end -->'];
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const block = `${start}\n${section}\n${end}`;
  writeFileSync(
    path,
    i >= 0 && j > i
      ? `${text.slice(0, i)}${block}${text.slice(j + end.length)}`
      : `${text.trimEnd()}\n\n## The example on Spark\n\n${block}\n`,
  );
}
