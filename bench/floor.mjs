// The floor for the benchmarks: bare node + @duckdb/node-api, no framework. Plain JS on purpose.
//   node bench/floor.mjs statement DB SQL     open DB, run one statement, close
//   node bench/floor.mjs plan DB PLAN.json    one process, one connection: mkdir / append / rename / run SQL files or text /
//                                             read every row of a query file's statements
//   node bench/floor.mjs script DB FILE       one transaction: every statement of the file, one by one
//   node bench/floor.mjs queries DB FILE...   read-only: run every statement of the files, read all rows
//   node bench/floor.mjs checksum DB          per table: row count and an order-independent checksum
import { appendFileSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';

// required as ducksteps' workers do: the fastest way to load it (see lib/worker/duckdb.ts), so the floor stays a floor
const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api');

const [mode, db, ...rest] = process.argv.slice(2);
const readOnly = mode === 'queries' || mode === 'checksum';
const instance = await DuckDBInstance.create(db, readOnly ? { access_mode: 'READ_ONLY' } : {});
const connection = await instance.connect();

if (mode === 'statement') {
  await connection.run(rest[0]);
} else if (mode === 'plan') {
  for (const action of JSON.parse(readFileSync(rest[0], 'utf8'))) {
    if (action.mkdir) mkdirSync(action.mkdir, { recursive: true });
    if (action.append) appendFileSync(action.append, action.text);
    if (action.rename) renameSync(action.rename, action.to);
    if (action.sql) await connection.run(readFileSync(action.sql, 'utf8'));
    if (action.run) await connection.run(action.run);
    if (action.query) await readAll(action.query);
  }
} else if (mode === 'script') {
  const statements = await connection.extractStatements(readFileSync(rest[0], 'utf8'));
  await connection.run('BEGIN');
  for (let i = 0; i < statements.count; i++) await (await statements.prepare(i)).run();
  await connection.run('COMMIT');
} else if (mode === 'queries') {
  for (const file of rest) await readAll(file);
} else if (mode === 'checksum') {
  const tables = (
    await connection.runAndReadAll(
      "SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() WHERE NOT temporary ORDER BY 1",
    )
  )
    .getRowObjectsJS()
    .map((r) => r.t);
  const out = {};
  for (const t of tables) {
    const [row] = (
      await connection.runAndReadAll(
        `SELECT count(*)::VARCHAR AS n, coalesce(sum(hash(x)), 0)::VARCHAR AS h FROM ${t} AS x`,
      )
    ).getRowObjectsJS();
    out[t] = `${row.n}:${row.h}`;
  }
  process.stdout.write(JSON.stringify(out));
}
connection.closeSync();
instance.closeSync();

async function readAll(file) {
  const statements = await connection.extractStatements(readFileSync(file, 'utf8'));
  for (let i = 0; i < statements.count; i++) await (await statements.prepare(i)).runAndReadAll();
}
