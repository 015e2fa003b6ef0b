// A publish that cannot finish, against a real PostgreSQL: a consumer holding a lock on the target (publishTimeout,
// PostgreSQL's lock_timeout), SIGTERM to the whole process group while it waits (systemctl stop), and the server
// stopping in the middle of the COPY. Each ends with one clear message, the target as it was, and the right exit.
import t from 'tap';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { cli, project, readCsv, REPO, CLI } from './helpers.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';

let server: PostgresServer;
t.before(async () => {
  server = await startPostgres();
  await server.query('CREATE SCHEMA ml');
});
t.teardown(async () => server?.stop());

const env = (s = server) => ({ DUCKSTEPS_PG_URL: s.passwordUrl, NO_COLOR: '1' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const count = async (s: PostgresServer, sql: string) => Number((await s.query(sql)).rows[0].n);
/** Waits until PostgreSQL shows `sql`'s count above zero (polling; no wall-clock assertion). */
const until = async (s: PostgresServer, sql: string) => {
  while ((await count(s, sql)) === 0) await sleep(50);
};
const WAITING =
  "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'ducksteps' AND wait_event_type = 'Lock'";

const replaceTarget = (t: Parameters<typeof project>[0], table: string, rows = 100) =>
  project(t, undefined, {
    sql: {
      '01_t': {
        'a.sql': `CREATE OR REPLACE TABLE t AS SELECT range AS id, 'row ' || range AS txt FROM range(${rows});`,
      },
    },
    publish: { '01.sql': `-- publish: postgres ml.${table}\nSELECT * FROM t` },
  });

/** A consumer reading the table inside an open transaction: it holds a lock a replace must wait for. */
async function reader(table: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`SELECT count(*) FROM ml.${table}`);
  return client;
}

t.test('several targets share one worker, and a stop on one keeps the outcome of those before it', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_t': { 'a.sql': "CREATE OR REPLACE TABLE t AS SELECT range AS id, 'row ' || range AS txt FROM range(100);" },
    },
    publish: {
      '01.sql': '-- publish: file output/first.csv\nSELECT * FROM t',
      '02.sql': '-- publish: postgres ml.several\nSELECT * FROM t',
      '03.sql': '-- publish: file output/third.csv\nSELECT * FROM t',
    },
  });
  const trace = join(dir, 'trace.jsonl');
  t.equal((await cli(dir, [], { ...env(), DUCKSTEPS_TRACE: trace })).exitCode, 0);
  const jobs = readFileSync(trace, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"worker job publish"'));
  t.equal(jobs.length, 1, 'three targets, one publish worker');

  writeFileSync(
    join(dir, 'sql/01_t/a.sql'),
    "CREATE OR REPLACE TABLE t AS SELECT range AS id, 'new ' || range AS txt FROM range(100);",
  );
  const consumer = await reader('several');
  t.teardown(() => consumer.end());
  const run = execa(process.execPath, [CLI], { cwd: dir, reject: false, env: env(), detached: true });
  await until(server, WAITING);
  process.kill(-run.pid!, 'SIGTERM');
  const done = await run;
  t.equal(done.exitCode, 143, done.stdout + done.stderr);
  const rows = (await readCsv(join(dir, 'logs/run_log.csv')))
    .filter((r) => String(r.step).startsWith('publish '))
    .slice(-3);
  t.same(
    rows.map((r) => `${r.step}:${r.status}`),
    ['publish output/first.csv:ok', 'publish ml.several:interrupted', 'publish output/third.csv:skipped'],
    'the first target was delivered and says so; the one stopped is interrupted; the next waits',
  );
  t.match(readFileSync(join(dir, 'output/first.csv'), 'utf8'), /new 0/, 'the first file holds the new rows');
  await consumer.query('ROLLBACK');
  await until(server, "SELECT (count(*) = 0)::int AS n FROM pg_stat_activity WHERE application_name = 'ducksteps'");
  t.same((await server.query("SELECT count(*)::int AS n FROM ml.several WHERE txt LIKE 'row %'")).rows, [{ n: 100 }]);
});

t.test(
  'a consumer holding a lock: the target gives up after publishTimeout, says who to look for, and is unchanged',
  async (t) => {
    const dir = replaceTarget(t, 'locked');
    t.equal((await cli(dir, [], env())).exitCode, 0);
    const consumer = await reader('locked');
    t.teardown(() => consumer.end());
    const run = await cli(dir, ['--publish-timeout', '2s'], env());
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      /error: publish ml\.locked: ml\.locked is locked by another session: waited 2 s \(publishTimeout\) for it/,
    );
    t.match(
      run.stdout,
      /hint: a reader or writer holds a lock on the table .*pg_stat_activity.*nothing was published to this target/,
    );
    t.notMatch(run.stdout + run.stderr, /report it|at .*\.js:\d+/, 'no stack trace');
    await consumer.query('ROLLBACK');
    t.same(
      (await server.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'locked%'")).rows,
      [{ n: 1 }],
      'no staging table left',
    );
    const logged = (await readCsv(join(dir, 'logs/run_log.csv')))
      .filter((r) => r.step === 'publish ml.locked')
      .map((r) => r.status);
    t.same(logged, ['ok', 'failed']);
  },
);

t.test('SIGTERM to the process group while a target waits: rolled back, logged as interrupted, exit 143', async (t) => {
  const dir = replaceTarget(t, 'stopped');
  t.equal((await cli(dir, [], env())).exitCode, 0);
  const consumer = await reader('stopped');
  t.teardown(() => consumer.end());
  const run = execa(process.execPath, [CLI, '--verbose'], {
    // --verbose: the publish table, a row per target
    cwd: dir,
    reject: false,
    env: env(),
    detached: true,
  });
  await until(server, WAITING);
  process.kill(-run.pid!, 'SIGTERM'); // as systemctl stop does: every process of the group
  const done = await run;
  t.equal(done.exitCode, 143, done.stdout + done.stderr);
  t.match(done.stderr, /stopping \(SIGTERM\)/);
  t.notMatch(done.stdout, /something outside ducksteps/);
  t.match(done.stdout, /│ ml\.stopped\s+│ interrupted\s+│/);
  const rows = (await readCsv(join(dir, 'logs/run_log.csv'))).slice(-2);
  t.same(
    rows.map((r) => `${r.step}:${r.status}:${r.error}`),
    [
      'publish ml.stopped:interrupted:publish/01.sql: publish ml.stopped: interrupted; nothing was published to this target',
      'run:interrupted:stopped by SIGTERM',
    ],
  );
  await consumer.query('ROLLBACK');
  await until(server, "SELECT (count(*) = 0)::int AS n FROM pg_stat_activity WHERE application_name = 'ducksteps'");
  t.same(
    (await server.query('SELECT count(*)::int AS n FROM ml.stopped')).rows,
    [{ n: 100 }],
    'the table is as it was',
  );
});

t.test(
  'the server stopping in the middle of the COPY: one clear error, exit 1, no crash; the table as it was',
  async (t) => {
    const own = await startPostgres();
    t.teardown(() => own.stop());
    await own.query('CREATE SCHEMA ml');
    const dir = replaceTarget(t, 'copied', 3_000_000);
    const run = cli(dir, [], env(own));
    await until(own, 'SELECT count(*) AS n FROM pg_stat_progress_copy WHERE tuples_processed > 0');
    await own.stopServer();
    const done = await run;
    t.equal(done.exitCode, 1, done.stdout + done.stderr);
    t.match(done.stdout, /error: publish ml\.copied: the connection to PostgreSQL was lost during the delivery \(/);
    t.match(
      done.stdout,
      /hint: nothing was published to this target: PostgreSQL rolls back a transaction whose connection ends/,
    );
    t.notMatch(done.stdout + done.stderr, /report it|without a result|Error: .*\n\s+at /, 'the worker did not crash');
    await own.startServer();
    t.same(
      (await own.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'ml'")).rows,
      [{ n: 0 }],
      'nothing was left behind',
    );
  },
);

t.test(
  'a stalled server (its backend stopped mid-delivery): the target is stopped after publishTimeout, rolled back',
  async (t) => {
    const dir = replaceTarget(t, 'stalled');
    t.equal((await cli(dir, [], env())).exitCode, 0);
    const consumer = await reader('stalled'); // holds the delivery at a known point
    t.teardown(() => consumer.end());
    const run = cli(dir, ['--publish-timeout', '3s'], env());
    await until(server, WAITING);
    const backend = Number(
      (await server.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'ducksteps'")).rows[0].pid,
    );
    process.kill(backend, 'SIGSTOP'); // nothing it does can answer now, not even its own lock_timeout
    const done = await run;
    process.kill(backend, 'SIGCONT');
    t.equal(done.exitCode, 1, done.stdout);
    t.match(done.stdout, /error: publish ml\.stalled: timed out after 3\.0 s \(publishTimeout\) and was stopped/);
    t.match(
      done.stdout,
      /hint: nothing was published to this target \(PostgreSQL rolls back the transaction of a connection that closes\)/,
    );
    await consumer.query('ROLLBACK');
    await until(server, "SELECT (count(*) = 0)::int AS n FROM pg_stat_activity WHERE application_name = 'ducksteps'");
    t.same(
      (await server.query('SELECT count(*)::int AS n FROM ml.stalled')).rows,
      [{ n: 100 }],
      'the table is as it was',
    );
    t.same(
      (await server.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'stalled%'")).rows,
      [{ n: 1 }],
      'no staging table left',
    );
  },
);
