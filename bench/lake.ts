// L1, L2: the DuckLake engine. L1 — the example built on a lake (catalog in a local PostgreSQL, Parquet in a
// folder) vs on a DuckDB file. L2 — --jobs 2 vs --jobs 1 on a lake, a pipeline with two independent heavy
// branches joined at the end. A throwaway PostgreSQL (as the tests start one) and the provisioned extension
// files (.ci/provision-extensions.sh) are set up here.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureExtensions } from '../packages/ducksteps/tests/extensions.js';
import { startPostgres, type PostgresServer } from '../packages/ducksteps/tests/postgres-server.js';
import { exampleProject, syntheticProject } from './scenarios.js';
import { execa } from 'execa';

const CLI = join(import.meta.dirname, '..', 'packages', 'ducksteps', 'bin', 'ducksteps.js');

/** A lake: a fresh catalog database per side's run, and its data folder. */
async function lakeOf(server: PostgresServer, dir: string, name: string) {
  const db = `ducklake:postgres:dbname=${name} host=127.0.0.1 port=${server.port} user=ducksteps password=secret-pw`;
  const dataPath = join(dir, 'lake');
  const reset = async () => {
    await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await server.query(`CREATE DATABASE ${name}`);
    rmSync(dataPath, { recursive: true, force: true });
  };
  return { args: ['--db', db, '--data-path', dataPath], reset };
}

const run = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [CLI, ...args], { cwd, env: { NO_COLOR: '1', ...env } });

/** The bench's PostgreSQL server and extension folder, started once for L1 and L2. */
export async function lakeBench() {
  const env = { DUCKSTEPS_EXTENSION_DIR: ensureExtensions(['ducklake', 'postgres_scanner']) };
  const server = await startPostgres();
  return { server, env, stop: () => server.stop() };
}

/** L1: the example at `orders` from nothing, on a lake vs on a DuckDB file (the landing files are written once,
 * before; both sides load all 30 days, run every gate and publish to files). */
export async function l1(root: string, bench: Awaited<ReturnType<typeof lakeBench>>, orders: number) {
  const a = exampleProject(join(root, 'l1a'));
  const b = exampleProject(join(root, 'l1b'));
  const vars = ['--var', `orders=${orders}`];
  const lake = await lakeOf(bench.server, a, 'bench_l1');
  for (const dir of [a, b]) {
    // the landing files; exit 1 all the same (no warehouse yet for the other steps' checks and publish)
    await execa(process.execPath, [CLI, ...vars, '--only', '01_generate'], {
      cwd: dir,
      reject: false,
      env: { NO_COLOR: '1' },
    });
    if (!existsSync(join(dir, 'data', 'landing', 'orders')))
      throw new Error(`L1: 01_generate wrote no landing files in ${dir}`);
  }
  return {
    a: () => run(a, [...lake.args, ...vars, '--full-refresh'], bench.env),
    b: () => run(b, [...vars, '--full-refresh']),
    prepare: { a: lake.reset, b: () => rmSync(join(b, 'data', 'warehouse.duckdb'), { force: true }) },
    check: async () => true, // the lake tests compare the tables row for row (tests/framework/lake-example.test.ts)
  };
}

const HEAVY = (name: string) =>
  `CREATE OR REPLACE TABLE ${name} AS SELECT i % 1000 AS k, count(*) AS n, sum(hash(i) % 997) AS s FROM range(40000000) AS r(i) GROUP BY ALL;`;

/** L2: two heavy independent branches and a join, --jobs 2 vs --jobs 1, both on a lake. */
export async function l2(root: string, bench: Awaited<ReturnType<typeof lakeBench>>) {
  const steps = {
    '01_left': HEAVY('left_t'),
    '02_right': HEAVY('right_t'),
    '03_join': 'CREATE OR REPLACE TABLE joined AS SELECT l.k, l.n + r.n AS n FROM left_t l JOIN right_t r USING (k);',
  };
  const a = syntheticProject(join(root, 'l2a'), steps);
  const b = syntheticProject(join(root, 'l2b'), steps);
  const [la, lb] = [await lakeOf(bench.server, a, 'bench_l2a'), await lakeOf(bench.server, b, 'bench_l2b')];
  return {
    a: () => run(a, [...la.args, '--jobs', '2'], bench.env),
    b: () => run(b, [...lb.args, '--jobs', '1'], bench.env),
    prepare: { a: la.reset, b: lb.reset },
    check: async () => true,
  };
}
