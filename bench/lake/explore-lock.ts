// Scratch: a run lock in PostgreSQL — through DuckDB's postgres extension, or held by the driver with `pg`.
import { execSync } from 'node:child_process';
import pg from 'pg';
import { startClient } from '../../packages/ducksteps/tests/lake.js';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';
const ext = ensureExtensions();
const show = async (label: string, p: Promise<unknown>) => console.log(label, JSON.stringify(await p));
const PG = 'dbname=lake1 host=127.0.0.1 port=55432 user=postgres';
const locks = () =>
  execSync(
    `psql -At -h 127.0.0.1 -p 55432 -U postgres lake1 -c "SELECT pid, objid, granted FROM pg_locks WHERE locktype = 'advisory'"`,
    { encoding: 'utf8' },
  ).trim();
const a = await startClient(ext);
const b = await startClient(ext);
for (const c of [a, b]) await c.ok(`ATTACH '${PG}' AS pgc (TYPE postgres)`);
await show(
  'A try lock (postgres_query)',
  a.run("SELECT * FROM postgres_query('pgc', 'SELECT pg_try_advisory_lock(4242) AS got, pg_backend_pid() AS pid')"),
);
await show(
  'A again',
  a.run("SELECT * FROM postgres_query('pgc', 'SELECT pg_try_advisory_lock(4242) AS got, pg_backend_pid() AS pid')"),
);
console.log('locks:', locks());
await show(
  'B try lock',
  b.run("SELECT * FROM postgres_query('pgc', 'SELECT pg_try_advisory_lock(4242) AS got, pg_backend_pid() AS pid')"),
);
await show(
  'A pid x5',
  a.run(
    "SELECT list(pid) FROM (SELECT * FROM postgres_query('pgc', 'SELECT pg_backend_pid() AS pid') UNION ALL SELECT * FROM postgres_query('pgc', 'SELECT pg_backend_pid() AS pid'))",
  ),
);
await show('A postgres_execute lock', a.run("CALL postgres_execute('pgc', 'SELECT pg_advisory_lock(4243)')"));
// inside a DuckDB transaction?
await a.ok('BEGIN');
await show(
  'A in tx pid',
  a.run("SELECT * FROM postgres_query('pgc', 'SELECT pg_backend_pid() AS pid, pg_try_advisory_xact_lock(4244) AS x')"),
);
await show('A in tx pid again', a.run("SELECT * FROM postgres_query('pgc', 'SELECT pg_backend_pid() AS pid')"));
console.log('locks during A tx:', locks());
await a.ok('COMMIT');
console.log('locks after A commit:', locks());
await show(
  'A unlock',
  a.run("SELECT * FROM postgres_query('pgc', 'SELECT pg_advisory_unlock(4242) AS released, pg_backend_pid() AS pid')"),
);
await a.kill();
await new Promise((r) => setTimeout(r, 300));
console.log('locks after A kill -9:', locks());
await show(
  'B try lock after kill',
  b.run("SELECT * FROM postgres_query('pgc', 'SELECT pg_try_advisory_lock(4242) AS got')"),
);
await b.close();
// the driver with pg
const c1 = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:55432/lake1' });
await c1.connect();
const c2 = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:55432/lake1' });
await c2.connect();
console.log(
  'pg c1',
  (await c1.query("SELECT pg_try_advisory_lock(hashtextextended('ducksteps run lock', 0)) AS got")).rows,
);
console.log(
  'pg c2',
  (await c2.query("SELECT pg_try_advisory_lock(hashtextextended('ducksteps run lock', 0)) AS got")).rows,
);
console.log(
  'pg c2 who',
  (
    await c2.query(
      "SELECT l.pid, a.application_name, a.client_addr, a.backend_start FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND l.granted",
    )
  ).rows,
);
await c1.end();
await c2.end();
