// Scratch: transactions on a DuckLake with a PostgreSQL catalog (server on 55432 started by hand).
import { execSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { startClient, attachSql, postgresCatalog } from '../../packages/ducksteps/tests/lake.js';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';

const ext = ensureExtensions();
const psql = (db: string, sql: string) =>
  execSync(`psql -At -h 127.0.0.1 -p 55432 -U postgres ${db} -c "${sql}"`, { encoding: 'utf8' }).trim();
psql('postgres', 'DROP DATABASE IF EXISTS tx');
psql('postgres', 'CREATE DATABASE tx');
rmSync('/tmp/lk/tx', { recursive: true, force: true });
mkdirSync('/tmp/lk/tx', { recursive: true });
const cat = postgresCatalog({ host: '127.0.0.1', port: 55432, user: 'postgres', dbname: 'tx' });
const files = () => execSync('find /tmp/lk/tx -type f | sort', { encoding: 'utf8' }).trim();
const catalogCounts = () =>
  psql(
    'tx',
    "SELECT (SELECT count(*) FROM ducklake_snapshot)||' snap '||(SELECT count(*) FROM ducklake_schema)||' schema '||(SELECT count(*) FROM ducklake_table)||' table '||(SELECT count(*) FROM ducklake_data_file)||' files '||(SELECT count(*) FROM ducklake_column)||' cols'",
  );
const show = async (label: string, p: Promise<unknown>) => console.log(label, JSON.stringify(await p));

const a = await startClient(ext);
const b = await startClient(ext);
for (const c of [a, b]) {
  await show('attach', c.run(attachSql(cat, 'lake', '/tmp/lk/tx/')));
  await c.ok('USE lake');
}
await a.ok('CREATE TABLE base AS SELECT 1 AS x');
console.log('catalog', catalogCounts());
// A: one transaction, two schemas, several tables, replace, ledger
await a.ok('BEGIN');
for (const s of [
  'CREATE SCHEMA raw',
  'CREATE SCHEMA core',
  'CREATE SCHEMA ducksteps',
  'CREATE TABLE raw.o AS SELECT range AS id FROM range(100000)',
  'CREATE TABLE core.o AS SELECT id, id*2 AS v FROM raw.o',
  'CREATE OR REPLACE TABLE base AS SELECT 2 AS x',
  'INSERT INTO base VALUES (3)',
  'CREATE TABLE ducksteps.step_batches (step VARCHAR NOT NULL, batch_id INTEGER NOT NULL)',
  "INSERT INTO ducksteps.step_batches VALUES ('02_extract', 1)",
]) {
  await show(s, a.run(s));
}
console.log('files during tx\n' + files());
await show(
  'B sees during A tx',
  b.run(
    "SELECT (SELECT list(x) FROM base) base, (SELECT count(*) FROM duckdb_tables() WHERE database_name='lake') tables",
  ),
);
await show('B snapshots during', b.run("SELECT max(snapshot_id) s FROM ducklake_snapshots('lake')"));
console.log('catalog during', catalogCounts());
await show('commit', a.run('COMMIT'));
await show('B after', b.run('SELECT (SELECT list(x) FROM base) base, (SELECT count(*) FROM core.o) n'));
await show('snapshots', b.run("SELECT snapshot_id, changes FROM ducklake_snapshots('lake')"));
console.log('catalog after', catalogCounts());
// B in an open read transaction keeps its snapshot?
await b.ok('BEGIN');
await show('B in tx', b.run('SELECT list(x) FROM base'));
await a.ok('INSERT INTO base VALUES (4)');
await show('B in tx after A autocommit', b.run('SELECT list(x) FROM base'));
await b.ok('COMMIT');
await show('B after its tx', b.run('SELECT list(x ORDER BY x) FROM base'));
// ROLLBACK of DDL + data
const before = catalogCounts();
const filesBefore = files();
await a.ok('BEGIN');
for (const s of [
  'CREATE SCHEMA rb',
  'CREATE TABLE rb.t AS SELECT range AS id FROM range(200000)',
  'INSERT INTO base SELECT range FROM range(100000)',
  'DELETE FROM core.o WHERE id < 10',
  'DROP TABLE raw.o',
])
  await show(s, a.run(s));
console.log('files during rollback tx\n' + files());
await show('rollback', a.run('ROLLBACK'));
console.log('catalog before', before, 'after rollback', catalogCounts());
console.log('files after rollback\n' + files(), '\nsame as before:', files() === filesBefore);
await show(
  'after rollback',
  a.run(
    "SELECT (SELECT count(*) FROM duckdb_schemas() WHERE schema_name='rb') rb, (SELECT count(*) FROM base) base, (SELECT count(*) FROM raw.o) rawo, (SELECT count(*) FROM core.o) coreo",
  ),
);
// kill -9 mid-transaction
await a.ok('BEGIN');
for (const s of [
  'CREATE SCHEMA killed',
  'CREATE TABLE killed.t AS SELECT range AS id FROM range(300000)',
  'INSERT INTO base SELECT range FROM range(50000)',
])
  await show(s, a.run(s));
const beforeKill = catalogCounts();
await a.kill();
console.log('catalog before kill', beforeKill, 'after', catalogCounts());
console.log('files after kill\n' + files());
console.log('pg sessions', psql('tx', "SELECT count(*) FROM pg_stat_activity WHERE datname='tx'"));
await show(
  'B after kill',
  b.run(
    "SELECT (SELECT count(*) FROM duckdb_schemas() WHERE schema_name='killed') k, (SELECT count(*) FROM base) base",
  ),
);
await show('orphans dry', b.run("FROM ducklake_delete_orphaned_files('lake', dry_run => true, cleanup_all => true)"));
await show('cleanup old dry', b.run("FROM ducklake_cleanup_old_files('lake', dry_run => true, cleanup_all => true)"));
await show('orphans', b.run("FROM ducklake_delete_orphaned_files('lake', cleanup_all => true)"));
console.log('files after orphan cleanup\n' + files());
await show('expire dry', b.run("FROM ducklake_expire_snapshots('lake', dry_run => true, versions => [1,2])"));
await b.close();
