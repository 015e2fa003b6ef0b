// Scratch benchmark: the example pipeline's rendered SQL (logs/compiled/ of `./run.sh compile`) run the way
// the worker runs it — one process per step, BEGIN … the step's statements + ledger rows … COMMIT — on a
// DuckDB file, a DuckLake with a local DuckDB-file catalog, or a DuckLake with a PostgreSQL catalog. Then
// the assertions (tests/*.sql, compiled), and a fingerprint of every table to compare the targets.
//
//   node --import tsx bench/lake/example-on-lake.ts <project dir> file|local|pg [pg libpq string]
//
// The project dir needs logs/compiled/ and data/landing/ (customers.csv, products.csv, orders/*.csv).
import { readdirSync, readFileSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';
import { startClient, type Client } from '../../packages/ducksteps/tests/lake.js';

const [project, target, pg = 'dbname=exlake host=127.0.0.1 port=55432 user=postgres'] = process.argv.slice(2);
const ext = ensureExtensions();
const compiled = join(project, 'logs', 'compiled');
const steps = readdirSync(compiled)
  .filter((d) => /^\d+_/.test(d))
  .sort();
const INCREMENTAL = new Set(['02_extract', '03_quality', '04_enrich', '05_aggregate']);

function reset() {
  rmSync(join(project, 'data', 'warehouse.duckdb'), { force: true });
  rmSync(join(project, 'data', 'lake'), { recursive: true, force: true });
  rmSync(join(project, 'data', 'catalog.ducklake'), { force: true });
  rmSync(join(project, 'data', 'catalog.ducklake.wal'), { force: true });
  mkdirSync(join(project, 'data', 'lake'), { recursive: true });
  if (target === 'pg') {
    const db = /dbname=(\S+)/.exec(pg)![1];
    execSync(
      `psql -h 127.0.0.1 -p 55432 -U postgres -qc "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" -c "CREATE DATABASE ${db}"`,
    );
  }
}

const attach = () =>
  target === 'file'
    ? "ATTACH 'data/warehouse.duckdb' AS wh"
    : target === 'local'
      ? "ATTACH 'ducklake:data/catalog.ducklake' AS wh (DATA_PATH 'data/lake/')"
      : `ATTACH 'ducklake:postgres:${pg}' AS wh (DATA_PATH 'data/lake/')`;

const LEDGER = [
  'CREATE SCHEMA IF NOT EXISTS ducksteps',
  'CREATE TABLE IF NOT EXISTS ducksteps.step_batches (step VARCHAR NOT NULL, batch_id INTEGER NOT NULL, run_id VARCHAR NOT NULL, rows_changed BIGINT NOT NULL, committed_at TIMESTAMPTZ NOT NULL)',
];

async function connect(): Promise<{ c: Client; spawnMs: number; attachMs: number }> {
  const t = performance.now();
  const c = await startClient(ext, { cwd: project });
  const spawnMs = performance.now() - t;
  const a = await c.run(attach());
  if (!a.ok) throw new Error(a.error);
  await c.ok('USE wh');
  return { c, spawnMs, attachMs: performance.now() - t - spawnMs };
}

// PGLOG=<server log with log_statement=all>: count the statements PostgreSQL received during each step.
const pgStatements = () =>
  process.env.PGLOG ? (readFileSync(process.env.PGLOG, 'utf8').match(/LOG: {2}statement: /g) ?? []).length : 0;

async function step(name: string) {
  const t0 = performance.now();
  const pg0 = pgStatements();
  const { c, spawnMs, attachMs } = await connect();
  await c.ok('BEGIN');
  if (INCREMENTAL.has(name)) for (const sql of LEDGER) await c.ok(sql);
  let sqlMs = 0;
  for (const file of readdirSync(join(compiled, name)).sort()) {
    const r = await c.runFile(join(compiled, name, file));
    sqlMs += r.ms.reduce((a, b) => a + b, 0);
    if (!r.ok) {
      console.log(
        `FAIL ${name}/${file} statement ${r.failed! + 1} of ${r.statements}:\n  ${r.error!.replace(/\n/g, '\n  ')}`,
      );
      await c.run('ROLLBACK');
      await c.close();
      return false;
    }
    if (process.env.VERBOSE) console.log(`  ${name}/${file}: ${r.ms.map((m) => m.toFixed(0)).join(' ')} ms`);
  }
  if (INCREMENTAL.has(name)) await c.ok(`INSERT INTO ducksteps.step_batches VALUES ('${name}', 0, 'bench', 0, now())`);
  const tc = performance.now();
  const commit = await c.run('COMMIT');
  const commitMs = performance.now() - tc;
  const { cpuMs, maxRssMb } = await c.stats();
  const tx = performance.now();
  await c.close();
  const closeMs = performance.now() - tx;
  const total = performance.now() - t0;
  console.log(
    `${commit.ok ? 'ok  ' : 'FAIL'} ${name.padEnd(13)} total ${(total / 1000).toFixed(2)} s = spawn+open ${spawnMs.toFixed(0)} ms, attach ${attachMs.toFixed(0)} ms, sql ${(sqlMs / 1000).toFixed(2)} s, commit ${commitMs.toFixed(0)} ms, close ${closeMs.toFixed(0)} ms; cpu ${(cpuMs / 1000).toFixed(2)} s, rss ${maxRssMb.toFixed(0)} MB${process.env.PGLOG ? `, ${pgStatements() - pg0} PostgreSQL statements` : ''}${commit.ok ? '' : `\n  ${commit.error}`}`,
  );
  return commit.ok;
}

async function assertions() {
  const t0 = performance.now();
  const { c } = await connect();
  const dir = join(compiled, 'tests');
  let failing = 0;
  for (const file of readdirSync(dir).sort()) {
    const r = await c.runFile(join(dir, file));
    if (!r.ok) {
      failing++;
      console.log(`FAIL tests/${file} statement ${r.failed! + 1}: ${r.error}`);
    }
  }
  await c.close();
  console.log(`assertions: ${failing} files failed to run, ${((performance.now() - t0) / 1000).toFixed(2)} s`);
}

async function fingerprint() {
  const { c } = await connect();
  const tables = await c.ok(
    "SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() WHERE database_name = 'wh' ORDER BY 1",
  );
  for (const { t } of tables) {
    const [row] = await c.ok(`SELECT count(*) AS n, bit_xor(hash(x)) AS h FROM ${t} AS x`);
    console.log(`  ${String(t).padEnd(28)} ${String(row.n).padStart(9)} rows  ${row.h}`);
  }
  await c.close();
}

reset();
const t0 = performance.now();
for (const name of steps) if (!(await step(name))) break;
console.log(`steps: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
await assertions();
const size = (p: string): number => {
  try {
    const s = statSync(p);
    return s.isDirectory() ? readdirSync(p).reduce((a, f) => a + size(join(p, f)), 0) : s.size;
  } catch {
    return 0;
  }
};
console.log(
  `on disk: ${(size(join(project, 'data', 'warehouse.duckdb')) + size(join(project, 'data', 'lake')) + size(join(project, 'data', 'catalog.ducklake'))) / 1e6} MB`,
);
if (process.env.FINGERPRINT) await fingerprint();
