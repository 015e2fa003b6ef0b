// Scratch: what old snapshots, replaced tables, orphans and CHECKPOINT leave on disk, and what cleans them.
import { execSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { startClient, attachSql, postgresCatalog } from '../../packages/ducksteps/tests/lake.js';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';
const ext = ensureExtensions();
const psql = (db: string, sql: string) =>
  execSync(`psql -At -h 127.0.0.1 -p 55432 -U postgres ${db} -c "${sql}"`, { encoding: 'utf8' }).trim();
psql('postgres', 'DROP DATABASE IF EXISTS mt WITH (FORCE)');
psql('postgres', 'CREATE DATABASE mt');
rmSync('/tmp/lk/mt', { recursive: true, force: true });
mkdirSync('/tmp/lk/mt', { recursive: true });
const files = () => execSync('find /tmp/lk/mt -type f | wc -l', { encoding: 'utf8' }).trim();
const cat = postgresCatalog({ host: '127.0.0.1', port: 55432, user: 'postgres', dbname: 'mt' });
const show = async (label: string, p: Promise<unknown>) => console.log(label, JSON.stringify(await p).slice(0, 400));
const a = await startClient(ext);
await a.ok(attachSql(cat, 'lake', '/tmp/lk/mt/'));
await a.ok('USE lake');
await a.ok('CREATE TABLE t AS SELECT range x FROM range(100000)');
for (let i = 0; i < 5; i++) await a.ok(`CREATE OR REPLACE TABLE t AS SELECT range + ${i} x FROM range(100000)`);
for (let i = 0; i < 5; i++) await a.ok(`INSERT INTO t SELECT range FROM range(1000)`);
await a.ok('DELETE FROM t WHERE x < 100');
for (let i = 0; i < 5; i++) await a.ok(`INSERT INTO t VALUES (${i})`);
console.log('files after 6 replaces, 5 inserts, 1 delete, 5 tiny inserts:', files());
await show('table info', a.run("FROM ducklake_table_info('lake')"));
await show('scheduled', a.run('SELECT count(*) FROM __ducklake_metadata_lake.ducklake_files_scheduled_for_deletion'));
// an orphan: a killed writer
const k = await startClient(ext);
await k.ok(attachSql(cat, 'lake'));
await k.ok('BEGIN');
await k.ok('CREATE TABLE lake.o AS SELECT range x FROM range(100000)');
await k.kill();
console.log('files with orphan:', files());
await show('CHECKPOINT', a.run('CHECKPOINT'));
console.log('files after CHECKPOINT:', files());
await show('snapshots', a.run("SELECT count(*) FROM ducklake_snapshots('lake')"));
await show('table info', a.run("FROM ducklake_table_info('lake')"));
await show(
  'expire all but current (dry)',
  a.run("SELECT count(*) FROM ducklake_expire_snapshots('lake', dry_run => true, older_than => now())"),
);
await show('expire', a.run("SELECT count(*) FROM ducklake_expire_snapshots('lake', older_than => now())"));
await show('scheduled', a.run('SELECT count(*) FROM __ducklake_metadata_lake.ducklake_files_scheduled_for_deletion'));
await show('cleanup default', a.run("SELECT count(*) FROM ducklake_cleanup_old_files('lake')"));
await show('cleanup all', a.run("SELECT count(*) FROM ducklake_cleanup_old_files('lake', cleanup_all => true)"));
console.log('files after expire+cleanup:', files());
await show('orphans default', a.run("SELECT count(*) FROM ducklake_delete_orphaned_files('lake', dry_run => true)"));
await show(
  'orphans all',
  a.run("SELECT count(*) FROM ducklake_delete_orphaned_files('lake', dry_run => true, cleanup_all => true)"),
);
await show('merge', a.run("FROM ducklake_merge_adjacent_files('lake')"));
await show('flush inlined', a.run("FROM ducklake_flush_inlined_data('lake')"));
console.log('files end:', files());
await show('sum', a.run('SELECT count(*), sum(x) FROM t'));
await a.close();
