// The example on a local Spark cluster, measured: (1) its full build on Spark next to the same build on a DuckDB
// file; (2) ducksteps' own overhead on Spark: its run of the Spark steps (02–05 and their gates) against the same
// statements — the SQL ducksteps rendered and the gating queries, in the same order — sent by a minimal client
// (the Spark Connect client, one session). Starts its own cluster (tests/framework/spark-cluster.ts).
//
//   npm run build && node --import tsx bench/spark.ts [--orders 1000000] [--days 30] [--pairs 3] [--no-write]
//
// Writes the figures between <!-- spark:start --> and <!-- spark:end --> in docs/performance.md.
import { cpus, loadavg, totalmem } from 'node:os';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SparkConnect } from '../lib/engines/spark/connect/index.js';
import { splitStatements } from '../lib/sql/split.js';
import { cli, exampleCopy, REPO } from '../tests/framework/helpers.js';
import { startSparkCluster } from '../tests/framework/spark-cluster.js';
import { median } from '../lib/logs/history.js';

const { values: opt } = parseArgs({ options: {
  orders: { type: 'string', default: '1000000' }, days: { type: 'string', default: '30' },
  pairs: { type: 'string', default: '3' }, 'no-write': { type: 'boolean', default: false },
} });
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
function statementsOf(dir: string): string[] {
  const compiled = join(dir, 'logs', 'compiled');
  const gates = readdirSync(join(compiled, 'tests')).flatMap((f) => splitStatements(readFileSync(join(compiled, 'tests', f), 'utf8')).map((c) => c.text));
  const steps = SPARK_STEPS.flatMap((step) => readdirSync(join(compiled, step)).sort().flatMap((f) => splitStatements(readFileSync(join(compiled, step, f), 'utf8')).map((c) => c.text)));
  // on an empty catalog, CREATE OR REPLACE is CREATE (Spark's session catalog has no REPLACE TABLE)
  return [...steps.map((s) => s.replace(/^(\s*(?:--[^\n]*\n\s*)*CREATE\s+)OR\s+REPLACE\s+(TABLE)/i, '$1$2')), ...gates];
}

/** The minimal client: one session, the statements in order, each run to its end. */
async function minimalClient(url: string, statements: readonly string[]) {
  const spark = await SparkConnect.connect(url);
  for (const sql of statements) for await (const part of spark.stream(sql)) void part;
  await spark.close();
  return {};
}

const cluster = await startSparkCluster();
const env = { DUCKSTEPS_SPARK_URL: cluster.url };
try {
  // (1) the full build, from nothing, on Spark and on a DuckDB file (01_generate, a local step, writes the files)
  const build = { spark: [] as number[], duckdb: [] as number[] };
  for (let i = 0; i <= Number(opt.pairs); i++) {
    await emptyCluster(cluster.url);
    const s = await seconds(`full build on Spark #${i}`, () => cli(fresh(`spark${i}`), ['--engine', 'spark', ...SIZE], env));
    const d = await seconds(`full build on DuckDB #${i}`, () => cli(fresh(`duckdb${i}`), SIZE));
    if (i > 0) { build.spark.push(s); build.duckdb.push(d); } // #0 warms the cluster up
  }
  // (2) ducksteps vs the minimal client, the same statements on the same files (generated once; no archive)
  const dir = exampleCopy(root, 'overhead');
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  delete pkg.ducksteps.archive;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  rmSync(join(dir, 'publish'), { recursive: true, force: true });
  const overhead = { ducksteps: [] as number[], client: [] as number[] };
  for (let i = 0; i <= Number(opt.pairs); i++) {
    await emptyCluster(cluster.url);
    rmSync(join(dir, 'data', 'warehouse.duckdb'), { force: true });
    // 01_generate alone: it writes the landing files (exit 1 all the same: the other steps' assertions run
    // after it on a warehouse that has none of their tables yet)
    if (i === 0) await seconds('generate', async () => { const r = await cli(dir, ['--engine', 'spark', '--only', 'generate', ...SIZE], env); return { exitCode: existsSync(join(dir, 'data', 'landing', 'orders')) ? 0 : r.exitCode }; });
    const a = await seconds(`ducksteps, steps 02-05 #${i}`, () => cli(dir, ['--engine', 'spark', '--from', 'extract', ...SIZE], env));
    const statements = statementsOf(dir);
    await emptyCluster(cluster.url);
    const b = await seconds(`minimal client, ${statements.length} statements #${i}`, () => minimalClient(cluster.url, statements));
    if (i > 0) { overhead.ducksteps.push(a); overhead.client.push(b); }
  }
  const section = report(build, overhead, statementsOf(dir).length);
  console.log(section);
  if (!opt['no-write']) writeSection(section);
} finally {
  await cluster.stop();
  rmSync(root, { recursive: true, force: true });
}

function report(build: Record<'spark' | 'duckdb', number[]>, overhead: Record<'ducksteps' | 'client', number[]>, statements: number): string {
  const m = (xs: number[]) => median(xs) ?? NaN;
  const range = (xs: number[]) => `${m(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
  const orders = Number(opt.orders).toLocaleString('en-US');
  return [
    `Measured by \`node --import tsx bench/spark.ts --orders ${opt.orders} --days ${opt.days} --pairs ${opt.pairs}\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Spark 4.3.0 standalone on loopback (2 workers × 1 core, 1 GB; executors 512 MB; C1 JIT and serial GC), ledger in a DuckDB file. Medians (min–max) of ${opt.pairs} runs after one warm-up; seconds. The machine was shared with other jobs (load average ${loadavg()[0].toFixed(0)} at the end): read these as upper bounds.`,
    '',
    '| what | seconds | ratio |',
    '|---|---|---|',
    `| the example, full build from nothing (${orders} orders, ${opt.days} days, one batch), DuckDB file | ${range(build.duckdb)} | 1 |`,
    `| the same on Spark (\`--engine spark\`, the .spark.sql files) | ${range(build.spark)} | ${(m(build.spark) / m(build.duckdb)).toFixed(1)}× |`,
    `| Spark steps 02–05 and their 18 gates, through ducksteps | ${range(overhead.ducksteps)} | ${(m(overhead.ducksteps) / m(overhead.client)).toFixed(2)}× |`,
    `| the same ${statements} statements (rendered SQL and gating queries) from a minimal client, one session, in order | ${range(overhead.client)} | 1 |`,
  ].join('\n');
}

function writeSection(section: string) {
  const path = join(REPO, 'docs', 'performance.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const [start, end] = ['<!-- spark:start -->', '<!-- spark:end -->'];
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const block = `${start}\n${section}\n${end}`;
  writeFileSync(path, i >= 0 && j > i ? `${text.slice(0, i)}${block}${text.slice(j + end.length)}` : `${text.trimEnd()}\n\n## The example on Spark\n\n${block}\n`);
}
