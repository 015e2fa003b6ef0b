import t, { type Test } from 'tap';
import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../lib/engines/duckdb/database.js';
import { cli, project, query, read, readCsv, REPO } from './helpers.js';

const SLOW = 'CREATE TABLE slow AS SELECT count(*) AS n FROM range(100000000000) AS a;';
const slowProject = (t: Test) =>
  project(t, undefined, {
    sql: { '01_a': { 'a.sql': 'CREATE TABLE a AS SELECT 1 AS x;' }, '02_slow': { 'a.sql': SLOW } },
  });
const tables = (dir: string) =>
  query(
    join(dir, 'data/warehouse.duckdb'),
    "SELECT table_name FROM information_schema.tables WHERE table_schema <> 'ducksteps' ORDER BY 1",
  );

/** Resolves when the process has printed `text` on stdout. */
const printed = (run: ReturnType<typeof cli>, text: string) =>
  new Promise<void>((resolve) => run.stdout!.on('data', (d: Buffer) => d.toString().includes(text) && resolve()));

t.test(
  'crash test: SIGKILL of a worker or the driver never leaves a partial step, and a resume finishes the build',
  async (t) => {
    const run = await execa(
      process.execPath,
      ['--import', 'tsx', 'bench/crashtest.ts', '--trials', '3', '--incremental', '3', '--seed', '42'],
      { cwd: REPO, reject: false },
    );
    t.equal(run.exitCode, 0, run.stdout + run.stderr);
    t.match(
      run.stdout,
      /incremental trial 1: killed the (worker|driver) at \d+ ms; every file once, tables as a full refresh/,
    );
    t.match(
      run.stdout,
      /archive trial 2: killed the (worker|driver) at \d+ ms; every file once in the ledger and the store/,
    );
    t.match(
      run.stdout,
      /refresh trial 3: killed the (worker|driver) at \d+ ms; every file once in the ledger and the store/,
    );
    t.match(run.stdout, '6/6 consistent');
  },
);

t.test(
  'a second run on the same database stops at once with exit 2, naming it and the PID; the first finishes',
  async (t) => {
    const dir = slowProject(t);
    const first = cli(dir, ['--step-timeout', '4s', '--verbose']); // --verbose: a line as each step starts, to act on
    await printed(first, '02_slow started');
    const second = await cli(dir);
    t.equal(second.exitCode, 2);
    t.match(
      second.stderr,
      new RegExp(`database .*data/warehouse\\.duckdb is in use by another ducksteps run \\(PID ${first.pid}`),
    );
    const done = await first;
    t.equal(done.exitCode, 1, 'the first ran to its own end (its slow step timed out)');
    t.same(await tables(dir), [{ table_name: 'a' }]);
  },
);

t.test(
  'another program holding the database file: the step fails saying so; --lock-timeout waits for it',
  async (t) => {
    const dir = project(t, 'ok');
    const holder = await openDatabase(join(dir, 'data/warehouse.duckdb'));
    const blocked = await cli(dir);
    t.equal(blocked.exitCode, 1);
    t.match(
      blocked.stdout,
      /cannot open database .*Could not set lock on file[\s\S]*hint: another program has the database open[\s\S]*--lock-timeout/,
    );
    setTimeout(() => holder.close(), 1500);
    const waited = await cli(dir, ['--lock-timeout', '30']);
    t.equal(waited.exitCode, 0, waited.stdout);
  },
);

t.test('--step-timeout stops a runaway step, rolls it back and reports "timed out"', async (t) => {
  const dir = slowProject(t);
  const run = await cli(dir, ['--step-timeout', '1.5s']);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /✘ 02_slow timed out in 1\.\d\d s/);
  t.match(run.stdout, /the step timed out after 1\.\d s \(--step-timeout\)/);
  t.same(
    (await readCsv(join(dir, 'logs/run_log.csv'))).map((r) => r.status),
    ['ok', 'timed out', 'skipped'],
  );
  t.same(await tables(dir), [{ table_name: 'a' }]);
  t.equal((await cli(dir, ['--step-timeout', 'soon'])).exitCode, 2, 'a bad duration is a usage error');
});

t.test('Ctrl-C stops the running step, rolls it back, logs the run as interrupted and exits 130', async (t) => {
  const dir = slowProject(t);
  const run = cli(dir, ['--verbose']); // --verbose: a line as each step starts, to act on
  await printed(run, '02_slow started');
  await new Promise((resolve) => setTimeout(resolve, 300));
  run.kill('SIGINT');
  const done = await run;
  t.equal(done.exitCode, 130);
  t.match(done.stdout, /02_slow interrupted/);
  t.same(
    (await readCsv(join(dir, 'logs/run_log.csv'))).map((r) => `${r.step}:${r.status}`),
    ['01_a:ok', '02_slow:interrupted', 'run:interrupted', 'tests:skipped'],
  );
  t.same(await tables(dir), [{ table_name: 'a' }]);
  t.same(
    readdirSync(join(dir, 'data')).filter((f) => f.endsWith('.lock')),
    [],
    'the run lock is released',
  );
});

t.test('SIGTERM stops the running step the same way, logs it as SIGTERM and exits 143', async (t) => {
  const dir = slowProject(t);
  const run = cli(dir, ['--verbose']); // --verbose: a line as each step starts, to act on
  await printed(run, '02_slow started');
  await new Promise((resolve) => setTimeout(resolve, 300));
  run.kill('SIGTERM');
  const done = await run;
  t.equal(done.exitCode, 143);
  t.match(done.stderr, /stopping \(SIGTERM\)/);
  const rows = await readCsv(join(dir, 'logs/run_log.csv'));
  t.same(
    rows.map((r) => `${r.step}:${r.status}`),
    ['01_a:ok', '02_slow:interrupted', 'run:interrupted', 'tests:skipped'],
  );
  t.equal(rows.find((r) => r.step === 'run')?.error, 'stopped by SIGTERM');
  t.same(await tables(dir), [{ table_name: 'a' }]);
});

t.test('a hostile --var quoted with sql_string stays one value and cannot change the statement', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_a': { 'a.sql': 'CREATE TABLE t AS SELECT 1 AS x;' },
      '02_b': {
        'b.sql': 'CREATE TABLE v AS SELECT {{ vars.name | sql_string }} AS name, 1 AS {{ vars.col | sql_ident }};',
      },
    },
  });
  const hostile = "x'; DROP TABLE t; --";
  const run = await cli(dir, ['--var', `name=${hostile}`, '--var', 'col=a"; DROP TABLE t; --']);
  t.equal(run.exitCode, 0, run.stdout);
  t.same(await query(join(dir, 'data/warehouse.duckdb'), 'SELECT * FROM v'), [
    { name: hostile, 'a"; DROP TABLE t; --': 1 },
  ]);
  t.same(await tables(dir), [{ table_name: 't' }, { table_name: 'v' }], 't was not dropped');
});

t.test('secret-looking environment values reach the SQL but are masked in compiled SQL and logs', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_a': {
        'a.sql':
          'CREATE TABLE s AS SELECT \'{{ env("DUCKSTEPS_TEST_TOKEN") }}\' AS token;\nSELECT nope_{{ env("DUCKSTEPS_TEST_TOKEN") }};',
      },
    },
  });
  const run = await cli(dir, [], { DUCKSTEPS_TEST_TOKEN: 'hunter2secret' });
  t.equal(run.exitCode, 1);
  t.notMatch(run.stdout, 'hunter2secret');
  t.match(read(join(dir, 'logs/compiled/01_a/a.sql')), "SELECT '***' AS token");
  t.notMatch(read(join(dir, 'logs/01_a.csv')) + read(join(dir, 'logs/run_log.csv')), 'hunter2secret');
  const ok = project(t, undefined, {
    sql: { '01_a': { 'a.sql': 'CREATE TABLE s AS SELECT \'{{ env("DUCKSTEPS_TEST_TOKEN") }}\' AS token;' } },
  });
  await cli(ok, [], { DUCKSTEPS_TEST_TOKEN: 'hunter2secret' });
  t.same(
    await query(join(ok, 'data/warehouse.duckdb'), 'SELECT token FROM s'),
    [{ token: 'hunter2secret' }],
    'the real value was used',
  );
});
