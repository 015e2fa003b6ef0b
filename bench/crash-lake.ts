// Crash trials on a DuckLake (catalog in a local PostgreSQL): kill the driver or a step's worker (SIGKILL) at a
// random moment of an incremental run over several batches, deliver more files, run again; every file must be
// in the ledger once and the totals must equal a --full-refresh over the same files on a DuckDB file.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { PostgresServer } from '../packages/ducksteps/tests/postgres-server.js';
import { openLake } from '../packages/ducksteps/lib/engines/ducklake/lake.js';
import { warehouseOf } from '../packages/ducksteps/lib/warehouse.js';
import { openDatabase } from '../packages/ducksteps/lib/engines/duckdb/database.js';
import { ducksteps } from './scenarios.js';
import { runAndKill } from './kill.js';
import { dropFile, eventsProject } from './watch.js';
import { commitStress } from '../packages/ducksteps/tests/commit-stress.js';

/** Rows of a query on the lake, read as another client would. */
async function lakeRows(dir: string, db: string, dataPath: string, sql: string) {
  const warehouse = warehouseOf(dir, { database: db, dataPath, extensionDir: process.env.DUCKSTEPS_EXTENSION_DIR });
  if (warehouse.engine !== 'ducklake') throw new Error('not a lake');
  const session = await openLake(warehouse, { readOnly: true });
  try {
    return (await session.query(sql)).rows;
  } finally {
    session.close();
  }
}

/** One trial; returns a problem description, or undefined when consistent. */
export async function lakeTrial(
  root: string,
  n: number,
  random: () => number,
  server: PostgresServer,
): Promise<string | undefined> {
  const dir = eventsProject(join(root, `lake${n}`));
  const dbname = `crash_lake_${n}_${process.pid}`;
  await server.query(`CREATE DATABASE ${dbname}`);
  const db = `ducklake:postgres:dbname=${dbname} host=127.0.0.1 port=${server.port} user=ducksteps password=secret-pw`;
  const args = ['--db', db, '--data-path', join(dir, 'lake')];
  for (let f = 1; f <= 6; f++) dropFile(dir, f);
  const target = random() < 0.5 ? 'worker' : 'driver';
  const delay = 300 + random() * 4000;
  const what = `lake trial ${n} (${target} at ${delay.toFixed(0)} ms)`;
  await runAndKill(dir, [...args, '--batch-size', '2'], { target, delay });
  for (let f = 7; f <= 8; f++) dropFile(dir, f);
  const again = await ducksteps(dir, [...args, '--lock-timeout', '10']).catch((e) => e);
  if (again.exitCode !== 0) return `${what}: the next run failed:\n${again.stdout}${again.stderr}`;
  const [ledger] = await lakeRows(
    dir,
    db,
    join(dir, 'lake'),
    'SELECT count(*) AS n, count(DISTINCT path) AS paths FROM ducksteps.loaded_files',
  );
  if (Number(ledger.n) !== 8 || Number(ledger.paths) !== 8) return `${what}: ${ledger.n} ledger rows for 8 files`;
  const reference = eventsProject(join(root, `lake${n}-ref`));
  cpSync(join(dir, 'data/landing/ev'), join(reference, 'data/landing/ev'), { recursive: true });
  await ducksteps(reference, ['--full-refresh']);
  const sql = 'SELECT count(*) AS n, sum(n) AS rows, sum(s) AS s FROM totals';
  const totals = JSON.stringify(await lakeRows(dir, db, join(dir, 'lake'), sql));
  const file = await openDatabase(join(reference, 'data/warehouse.duckdb'), { readOnly: true });
  const expected = JSON.stringify((await file.query(sql)).rows);
  file.close();
  if (totals !== expected) return `${what}: totals differ from a full refresh (${totals} vs ${expected})`;
  console.log(`${what}: every file once, totals as a full refresh`);
  rmSync(dir, { recursive: true, force: true });
  await server.query(`DROP DATABASE ${dbname} WITH (FORCE)`);
  return undefined;
}

/** W writers commit `rounds` steps each at once on a new lake (tests/commit-stress.ts); the problems found. */
export async function commitsTrial(
  root: string,
  server: PostgresServer,
  writers: number,
  rounds: number,
): Promise<string[]> {
  const dbname = `crash_commits_${process.pid}`;
  await server.query(`CREATE DATABASE ${dbname}`);
  const result = await commitStress({
    db: `ducklake:postgres:dbname=${dbname} host=127.0.0.1 port=${server.port} user=ducksteps password=secret-pw`,
    dataPath: join(root, 'commits'),
    extensionDir: process.env.DUCKSTEPS_EXTENSION_DIR,
    writers,
    rounds,
    log: (line) => console.log(`commits: ${line}`),
  });
  for (const f of result.failed) console.log(`commits: failed (cleanly) ${f}`);
  return result.problems.map((p) => `commits: ${p}`);
}
