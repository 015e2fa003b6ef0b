// Scratch: SQLite catalog, rollback journal (as DuckLake creates it) vs a file pre-set to WAL.
import { rmSync, mkdirSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { startClient, attachSql } from '../../packages/ducksteps/tests/lake.js';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';
const ext = ensureExtensions(['ducklake', 'sqlite_scanner']);
const show = async (label: string, p: Promise<unknown>) => console.log(label, JSON.stringify(await p));
for (const wal of [false, true]) {
  rmSync('/tmp/lk/sq', { recursive: true, force: true });
  mkdirSync('/tmp/lk/sq', { recursive: true });
  if (wal)
    execSync(
      `python3 -c "import sqlite3; c=sqlite3.connect('/tmp/lk/sq/cat.sqlite'); print(c.execute('PRAGMA journal_mode=WAL').fetchone())"`,
      { stdio: 'inherit' },
    );
  const cat = 'sqlite:/tmp/lk/sq/cat.sqlite';
  console.log('### wal', wal);
  const a = await startClient(ext);
  const b = await startClient(ext);
  await a.ok(attachSql(cat, 'lake', '/tmp/lk/sq/data/'));
  await a.ok('CREATE TABLE lake.t1 (x INT)');
  await a.ok('CREATE TABLE lake.t2 (x INT)');
  await b.ok(attachSql(cat, 'lake'));
  // sequential, no overlap
  await show('A insert', a.run('INSERT INTO lake.t1 VALUES (1)'));
  await show('B insert', b.run('INSERT INTO lake.t2 VALUES (1)'));
  // A writes in a tx, B reads meanwhile
  await a.ok('BEGIN');
  await a.ok('INSERT INTO lake.t1 SELECT range FROM range(100)');
  await show('B read during A tx', b.run('SELECT count(*) n FROM lake.t1'));
  await show('A commit', a.run('COMMIT'));
  // overlapping writers
  await a.ok('BEGIN');
  await a.ok('INSERT INTO lake.t1 SELECT range FROM range(100)');
  await b.ok('BEGIN');
  await b.ok('INSERT INTO lake.t2 SELECT range FROM range(100)');
  await show('A commit', a.run('COMMIT'));
  await show('B commit', b.run('COMMIT'));
  await show('B rollback', b.run('ROLLBACK'));
  await show('A read', a.run('SELECT (SELECT count(*) FROM lake.t1) t1, (SELECT count(*) FROM lake.t2) t2'));
  await a.close();
  await b.close();
}
