// Scratch: can two processes use a DuckDB-file or SQLite catalog at once?
import { rmSync, mkdirSync } from 'node:fs';
import { startClient, attachSql } from '../../packages/ducksteps/tests/lake.js';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';
const ext = ensureExtensions(['ducklake', 'sqlite_scanner']);
rmSync('/tmp/lk/loc', { recursive: true, force: true });
mkdirSync('/tmp/lk/loc', { recursive: true });
const show = async (label: string, p: Promise<unknown>) => console.log(label, JSON.stringify(await p));
for (const cat of ['/tmp/lk/loc/cat.ducklake', 'sqlite:/tmp/lk/loc/cat.sqlite']) {
  console.log('###', cat);
  const a = await startClient(ext);
  const b = await startClient(ext);
  await show('A attach', a.run(attachSql(cat, 'lake', '/tmp/lk/loc/data/')));
  await a.ok('CREATE TABLE lake.t1 (x INT)');
  await a.ok('CREATE TABLE lake.t2 (x INT)');
  await show('B attach while A attached', b.run(attachSql(cat, 'lake')));
  await show('B read', b.run('SELECT count(*) FROM lake.t1'));
  await a.ok('BEGIN');
  await show('A insert t1', a.run('INSERT INTO lake.t1 SELECT range FROM range(1000)'));
  await b.run('BEGIN');
  await show('B insert t2', b.run('INSERT INTO lake.t2 SELECT range FROM range(1000)'));
  await show('A commit', a.run('COMMIT'));
  await show('B commit', b.run('COMMIT'));
  await show('B autocommit insert t2', b.run('INSERT INTO lake.t2 VALUES (1)'));
  await show('A read', a.run('SELECT (SELECT count(*) FROM lake.t1) t1, (SELECT count(*) FROM lake.t2) t2'));
  await a.close();
  await show('B attach after A closed', b.run(attachSql(cat, 'lake2')));
  await b.close();
  const c = await startClient(ext);
  await show('C read-only attach', c.run(`ATTACH 'ducklake:${cat}' AS lake (READ_ONLY)`));
  const d = await startClient(ext);
  await show('D read-only attach while C', d.run(`ATTACH 'ducklake:${cat}' AS lake (READ_ONLY)`));
  await show('D read', d.run('SELECT (SELECT count(*) FROM lake.t1) t1, (SELECT count(*) FROM lake.t2) t2'));
  await c.close();
  await d.close();
}
