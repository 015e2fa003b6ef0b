// Scratch: ducklake_delete_orphaned_files(cleanup_all) while another process has written but not committed.
import { execSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { startClient, attachSql, postgresCatalog } from '../../packages/ducksteps/tests/lake.js';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';
const ext = ensureExtensions();
const psql = (db: string, sql: string) =>
  execSync(`psql -At -h 127.0.0.1 -p 55432 -U postgres ${db} -c "${sql}"`, { encoding: 'utf8' }).trim();
psql('postgres', 'DROP DATABASE IF EXISTS orr WITH (FORCE)');
psql('postgres', 'CREATE DATABASE orr');
rmSync('/tmp/lk/orr', { recursive: true, force: true });
mkdirSync('/tmp/lk/orr', { recursive: true });
const cat = postgresCatalog({ host: '127.0.0.1', port: 55432, user: 'postgres', dbname: 'orr' });
const a = await startClient(ext);
await a.ok(attachSql(cat, 'lake', '/tmp/lk/orr/'));
const b = await startClient(ext);
await b.ok(attachSql(cat, 'lake'));
await a.ok('BEGIN');
await a.ok('CREATE TABLE lake.t AS SELECT range x FROM range(100000)');
console.log(
  'older_than 1 hour:',
  JSON.stringify(
    await b.run("SELECT count(*) n FROM ducklake_delete_orphaned_files('lake', older_than => now() - INTERVAL 1 HOUR)"),
  ),
);
console.log(
  'cleanup_all:',
  JSON.stringify(await b.run("SELECT count(*) n FROM ducklake_delete_orphaned_files('lake', cleanup_all => true)")),
);
console.log('A commit:', JSON.stringify(await a.run('COMMIT')));
console.log('read:', JSON.stringify(await b.run('SELECT sum(x) FROM lake.t')));
await a.close();
await b.close();
