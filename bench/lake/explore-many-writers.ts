// Scratch: W writer processes, each committing R transactions into its own table (plus a shared ledger
// append), all at once on one PostgreSQL catalog: do they all commit, and how long does a commit take?
// W=12 R=10 [RETRIES=100 sets ducklake_max_retry_count]
import { execSync } from 'node:child_process';
import { rmSync, mkdirSync } from 'node:fs';
import { startClient, attachSql, postgresCatalog } from '../../packages/ducksteps/tests/lake.js';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';
const W = Number(process.env.W ?? 6),
  R = Number(process.env.R ?? 10);
const ext = ensureExtensions();
const psql = (db: string, sql: string) =>
  execSync(`psql -At -h 127.0.0.1 -p 55432 -U postgres ${db} -c "${sql}"`, { encoding: 'utf8' }).trim();
psql('postgres', 'DROP DATABASE IF EXISTS mw WITH (FORCE)');
psql('postgres', 'CREATE DATABASE mw');
rmSync('/tmp/lk/mw', { recursive: true, force: true });
mkdirSync('/tmp/lk/mw', { recursive: true });
const cat = postgresCatalog({ host: '127.0.0.1', port: 55432, user: 'postgres', dbname: 'mw' });
const init = await startClient(ext);
await init.ok(attachSql(cat, 'lake', '/tmp/lk/mw/'));
await init.ok('CREATE TABLE lake.ledger (w INT, r INT)');
for (let w = 0; w < W; w++) await init.ok(`CREATE TABLE lake.t${w} (x BIGINT)`);
await init.close();
const clients = await Promise.all(
  Array.from({ length: W }, async () => {
    const c = await startClient(ext);
    if (process.env.RETRIES) await c.ok(`SET ducklake_max_retry_count = ${process.env.RETRIES}`);
    await c.ok(attachSql(cat, 'lake'));
    return c;
  }),
);
const t0 = performance.now();
const results = await Promise.all(
  clients.map(async (c, w) => {
    const out = { ok: 0, failed: [] as string[], commitMs: [] as number[] };
    for (let r = 0; r < R; r++) {
      await c.ok('BEGIN');
      await c.ok(`INSERT INTO lake.t${w} SELECT range FROM range(10000)`);
      await c.ok(`INSERT INTO lake.ledger VALUES (${w}, ${r})`);
      const commit = await c.run('COMMIT');
      out.commitMs.push(commit.ms);
      if (commit.ok) out.ok++;
      else out.failed.push(commit.error!);
    }
    return out;
  }),
);
const all = results.flatMap((r) => r.commitMs).sort((a, b) => a - b);
console.log(
  `${W} writers x ${R} commits in ${((performance.now() - t0) / 1000).toFixed(1)} s: ok ${results.reduce((a, r) => a + r.ok, 0)}, failed ${results.reduce((a, r) => a + r.failed.length, 0)}; commit ms median ${all[all.length >> 1].toFixed(0)}, max ${all[all.length - 1].toFixed(0)}`,
);
for (const r of results) for (const f of r.failed) console.log('  ', f);
await Promise.all(clients.map((c) => c.close()));
