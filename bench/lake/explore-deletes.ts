// Scratch: when do two overlapping DELETE/UPDATE transactions on one table conflict? Inlined vs Parquet data.
import { execSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { startClient, attachSql, postgresCatalog } from '../../packages/ducksteps/tests/lake.js';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';
const ext = ensureExtensions();
const psql = (db: string, sql: string) =>
  execSync(`psql -At -h 127.0.0.1 -p 55432 -U postgres ${db} -c "${sql}"`, { encoding: 'utf8' }).trim();
const N = process.env.N ? [Number(process.env.N)] : [5, 100, 1000, 100000];
const PAIRS = process.env.PAIRS
  ? JSON.parse(process.env.PAIRS)
  : [
      ['DELETE FROM t WHERE x < 3', 'DELETE FROM t WHERE x > 3'],
      ['DELETE FROM t WHERE x < 3', 'DELETE FROM t WHERE x < 2'],
      ['UPDATE t SET x = x + 1 WHERE x < 3', 'UPDATE t SET x = x + 1 WHERE x > 3'],
      ['DELETE FROM t WHERE x < 3', 'INSERT INTO t VALUES (7)'],
      ['INSERT INTO t VALUES (7)', 'DELETE FROM t WHERE x < 3'],
    ];
for (const n of N)
  for (const [a, b] of PAIRS) {
    psql('postgres', 'DROP DATABASE IF EXISTS dl WITH (FORCE)');
    psql('postgres', 'CREATE DATABASE dl');
    rmSync('/tmp/lk/dl', { recursive: true, force: true });
    mkdirSync('/tmp/lk/dl', { recursive: true });
    const cat = postgresCatalog({ host: '127.0.0.1', port: 55432, user: 'postgres', dbname: 'dl' });
    const ca = await startClient(ext);
    const cb = await startClient(ext);
    for (const c of [ca, cb]) {
      await c.ok(attachSql(cat, 'lake', '/tmp/lk/dl/'));
      await c.ok('USE lake');
    }
    await ca.ok(`CREATE TABLE t AS SELECT range AS x FROM range(${n})`);
    const info = await ca.ok("SELECT file_count FROM ducklake_table_info('lake')");
    await ca.ok('BEGIN');
    await cb.ok('BEGIN');
    await ca.ok(a);
    await cb.ok(b);
    const ra = await ca.run('COMMIT');
    const rb = await cb.run('COMMIT');
    const cnt = await ca.ok('SELECT count(*) n FROM t');
    console.log(
      `n=${n} files=${info[0].file_count} | A: ${a} -> ${ra.ok ? 'ok' : ra.error} | B: ${b} -> ${rb.ok ? 'ok' : rb.error!.split('\n')[1]} | rows ${cnt[0].n}`,
    );
    await ca.close();
    await cb.close();
  }
