// Scratch: two writer processes on one PostgreSQL-catalog lake, interleaved: A BEGIN+stmt, B BEGIN+stmt, A COMMIT, B COMMIT.
import { execSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { startClient, attachSql, postgresCatalog } from '../../packages/ducksteps/tests/lake.js';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';

const ext = ensureExtensions();
const psql = (db: string, sql: string) =>
  execSync(`psql -At -h 127.0.0.1 -p 55432 -U postgres ${db} -c "${sql}"`, { encoding: 'utf8' }).trim();
const cases: [string, string[], string[], string[]][] = [
  // name, setup, A, B
  [
    'different tables insert',
    ['CREATE TABLE t1 (x INT)', 'CREATE TABLE t2 (x INT)'],
    ['INSERT INTO t1 SELECT range FROM range(100)'],
    ['INSERT INTO t2 SELECT range FROM range(100)'],
  ],
  [
    'different tables CTAS',
    [],
    ['CREATE TABLE n1 AS SELECT range x FROM range(100)'],
    ['CREATE TABLE n2 AS SELECT range x FROM range(100)'],
  ],
  [
    'same table insert/insert',
    ['CREATE TABLE t (x INT)'],
    ['INSERT INTO t SELECT range FROM range(100)'],
    ['INSERT INTO t SELECT range FROM range(100)'],
  ],
  [
    'same table insert small (inlined)',
    ['CREATE TABLE t (x INT)'],
    ['INSERT INTO t VALUES (1)'],
    ['INSERT INTO t VALUES (2)'],
  ],
  [
    'same table delete/delete',
    ['CREATE TABLE t AS SELECT range x FROM range(100)'],
    ['DELETE FROM t WHERE x < 10'],
    ['DELETE FROM t WHERE x > 90'],
  ],
  [
    'same table delete/insert',
    ['CREATE TABLE t AS SELECT range x FROM range(100)'],
    ['DELETE FROM t WHERE x < 10'],
    ['INSERT INTO t VALUES (1000)'],
  ],
  [
    'same table insert/delete',
    ['CREATE TABLE t AS SELECT range x FROM range(100)'],
    ['INSERT INTO t VALUES (1000)'],
    ['DELETE FROM t WHERE x < 10'],
  ],
  [
    'same table update/update',
    ['CREATE TABLE t AS SELECT range x FROM range(100)'],
    ['UPDATE t SET x = x + 1 WHERE x < 10'],
    ['UPDATE t SET x = x + 1 WHERE x > 90'],
  ],
  [
    'same table replace/replace',
    ['CREATE TABLE t AS SELECT range x FROM range(100)'],
    ['CREATE OR REPLACE TABLE t AS SELECT 1 x'],
    ['CREATE OR REPLACE TABLE t AS SELECT 2 x'],
  ],
  ['same name create/create', [], ['CREATE TABLE t AS SELECT 1 x'], ['CREATE TABLE t AS SELECT 2 x']],
  [
    'same name create if not exists both',
    [],
    ['CREATE TABLE IF NOT EXISTS t (x INT)'],
    ['CREATE TABLE IF NOT EXISTS t (x INT)'],
  ],
  [
    'create schema if not exists both',
    [],
    ['CREATE SCHEMA IF NOT EXISTS s', 'CREATE TABLE s.a (x INT)'],
    ['CREATE SCHEMA IF NOT EXISTS s', 'CREATE TABLE s.b (x INT)'],
  ],
  [
    'different tables in new schema (schema existing)',
    ['CREATE SCHEMA s'],
    ['CREATE TABLE s.a AS SELECT 1 x'],
    ['CREATE TABLE s.b AS SELECT 1 x'],
  ],
  [
    'drop vs insert',
    ['CREATE TABLE t AS SELECT range x FROM range(100)'],
    ['DROP TABLE t'],
    ['INSERT INTO t VALUES (1)'],
  ],
  [
    'alter vs insert',
    ['CREATE TABLE t AS SELECT range x FROM range(100)'],
    ['ALTER TABLE t ADD COLUMN y INT'],
    ['INSERT INTO t VALUES (1)'],
  ],
  [
    'reader of t vs writer of t',
    ['CREATE TABLE t AS SELECT range x FROM range(100)', 'CREATE TABLE u (n BIGINT)'],
    ['INSERT INTO t VALUES (1)'],
    ['INSERT INTO u SELECT count(*) FROM t'],
  ],
  [
    'ledger rows both (shared table, inserts)',
    ['CREATE TABLE sb (step VARCHAR, b INT)', 'CREATE TABLE t1 (x INT)', 'CREATE TABLE t2 (x INT)'],
    ['INSERT INTO t1 VALUES (1)', "INSERT INTO sb VALUES ('a', 1)"],
    ['INSERT INTO t2 VALUES (1)', "INSERT INTO sb VALUES ('b', 1)"],
  ],
];
const only = process.argv[2];
for (const [name, setup, sa, sb] of cases) {
  if (only && !name.includes(only)) continue;
  psql('postgres', 'DROP DATABASE IF EXISTS cf WITH (FORCE)');
  psql('postgres', 'CREATE DATABASE cf');
  rmSync('/tmp/lk/cf', { recursive: true, force: true });
  mkdirSync('/tmp/lk/cf', { recursive: true });
  const cat = postgresCatalog({ host: '127.0.0.1', port: 55432, user: 'postgres', dbname: 'cf' });
  const a = await startClient(ext);
  const b = await startClient(ext);
  for (const c of [a, b]) {
    await c.ok(attachSql(cat, 'lake', '/tmp/lk/cf/'));
    await c.ok('USE lake');
  }
  for (const s of setup) await a.ok(s);
  await a.ok('BEGIN');
  await b.ok('BEGIN');
  const out: string[] = [];
  for (const s of sa) {
    const r = await a.run(s);
    if (!r.ok) out.push(`A ${s}: ${r.error}`);
  }
  for (const s of sb) {
    const r = await b.run(s);
    if (!r.ok) out.push(`B ${s}: ${r.error}`);
  }
  const ca = await a.run('COMMIT');
  const cb = await b.run('COMMIT');
  console.log(
    `## ${name}\n  A COMMIT: ${ca.ok ? 'ok' : ca.error} (${ca.ms.toFixed(0)} ms)\n  B COMMIT: ${cb.ok ? 'ok' : cb.error} (${cb.ms.toFixed(0)} ms)${out.length ? '\n  ' + out.join('\n  ') : ''}`,
  );
  const snaps = await a.run("SELECT list(snapshot_id ORDER BY snapshot_id) s FROM ducklake_snapshots('lake')");
  console.log('  snapshots', JSON.stringify(snaps.rows));
  await a.close();
  await b.close();
}
