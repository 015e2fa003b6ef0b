// The rough edges of landing folders and runs: a backlog beyond the open-files limit, a held database
// (list and the ledger read say so), an absolute input glob, --full-refresh of a later step alone, what
// killed runs left behind, and a data folder that was removed.
import t from 'tap';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../lib/engines/duckdb/database.js';
import { cli, project, REPO, CLI } from './helpers.js';
import { db, drop, eventsProject, ids, rows } from './landing.js';

t.test('a backlog of 600 files under ulimit -n 200 loads (files are hashed a few at a time)', async (t) => {
  const dir = eventsProject(t);
  for (let i = 0; i < 600; i++) drop(dir, `e${String(i).padStart(4, '0')}.csv`, rows(i));
  const run = await execa('bash', ['-c', `ulimit -n 200 && exec node ${CLI}`], {
    cwd: dir,
    reject: false,
    env: { NO_COLOR: '1' },
  });
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.notMatch(run.stdout + run.stderr, /EMFILE/);
  t.equal((await ids(dir)).length, 600);
});

t.test(
  'another program holding the database: list and the ledger read say so (not "0 loaded", not an internal error)',
  async (t) => {
    const dir = eventsProject(t, { 'a.csv': rows(1) });
    t.equal((await cli(dir)).exitCode, 0);
    const held = await openDatabase(db(dir));
    t.teardown(() => held.close());
    const list = await cli(dir, ['list']);
    t.equal(list.exitCode, 1);
    t.match(
      list.stderr,
      /ducksteps: cannot read the batch ledger: cannot open database .*warehouse\.duckdb: IO Error: Could not set lock on file[\s\S]*another program has the database open/,
    );
    const run = await cli(dir);
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      /✘ 01_load failed[\s\S]*error: cannot open database .*warehouse\.duckdb: IO Error: Could not set lock on file[\s\S]*hint: another program has the database open .*--lock-timeout/,
    );
    t.notMatch(run.stdout + run.stderr, /internal error|at \S+\.js:\d+/);
  },
);

t.test('an absolute input glob works like a relative one', async (t) => {
  const dir = eventsProject(t, { 'a.csv': rows(1) });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      ducksteps: { inputs: { events: join(dir, 'data/landing/ev/*.csv') }, archive: join(dir, 'data/archive') },
    }),
  );
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.same(await ids(dir), [1]);
  t.ok(existsSync(join(dir, 'data/archive/events/a.csv')));
  t.equal((await cli(dir, ['--full-refresh'])).exitCode, 0, 'and a full refresh reads it back from the archive');
  t.same(await ids(dir), [1]);
});

t.test(
  '--full-refresh of a later incremental step alone rebuilds it from the tables it reads (--forget-missing is for files)',
  async (t) => {
    const dir = eventsProject(t, { 'a.csv': rows(1) });
    t.equal((await cli(dir)).exitCode, 0);
    const later = await cli(dir, ['--full-refresh', '--only', 'total']);
    t.equal(later.exitCode, 0, later.exitCode === 0 ? 'exit 0' : later.stdout);
    t.match(
      later.stdout,
      '· full refresh: 02_total rebuilds every batch of the ledger from the tables it reads; 01_load keeps its tables',
    );
    t.match(later.stdout, '✔ 02_total batch 1 (1 file, full refresh) ok');
    const forget = await cli(dir, ['--forget-missing']);
    t.equal(forget.exitCode, 2);
    t.match(forget.stderr, /--forget-missing only goes with --full-refresh/);
    const tables = await cli(dir, ['--full-refresh', '--forget-missing', '--only', 'total']);
    t.equal(tables.exitCode, 2);
    t.match(tables.stderr, /--forget-missing goes with a full refresh from the files \(from 01_load\)/);
    t.equal(
      (await cli(dir, ['--full-refresh', '--only', 'load'])).exitCode,
      0,
      'with the first incremental step it rebuilds from the files',
    );
  },
);

t.test("a killed run's temporary folder and half-written publish file are removed by the next run", async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_a': { 'a.sql': 'CREATE OR REPLACE TABLE a AS SELECT 1 AS x;' },
      '02_slow': { 'a.sql': 'CREATE OR REPLACE TABLE slow AS SELECT count(*) AS n FROM range(100000000000);' },
    },
    publish: { '01_a.sql': '-- publish: file output/a.csv\nSELECT * FROM a' },
  });
  const temp = mkdtempSync(join(tmpdir(), 'ducksteps-test-tmp-'));
  t.teardown(() => rmSync(temp, { recursive: true, force: true }));
  const env = { TMPDIR: temp };
  const killed = cli(dir, ['--verbose'], env); // --verbose: a line as each step starts, to act on
  await new Promise<void>((resolve) =>
    killed.stdout?.on('data', (d: Buffer) => String(d).includes('02_slow started') && resolve()),
  );
  killed.kill('SIGKILL');
  await killed.catch(() => undefined);
  t.same(
    readdirSync(temp).filter((n) => n.startsWith(`ducksteps-${killed.pid}-`)).length,
    1,
    'the killed run left its folder',
  );
  const dead = execa(process.execPath, ['-e', '']);
  await dead; // a PID no process has any more
  mkdirSync(join(dir, 'output'));
  writeFileSync(join(dir, `output/a.csv.ducksteps-${dead.pid}.tmp`), 'half');
  const next = await cli(dir, ['--only', 'a', '--publish', '--lock-timeout', '10'], env); // --publish: a partial run delivers only when asked
  t.equal(next.exitCode, 0, next.stdout + next.stderr);
  t.same(readdirSync(temp), [], 'its folder is gone (and this run removed its own)');
  t.same(readdirSync(join(dir, 'output')), ['a.csv'], 'the half-written file is gone');
});

t.test(
  'a removed data folder: the run creates the database folder again; a --db in a missing folder is still refused',
  async (t) => {
    const dir = t.testdir({ sql: { '01_a': { 'a.sql': 'CREATE TABLE a AS SELECT 1 AS x;' } } });
    const run = await cli(dir);
    t.equal(run.exitCode, 0, run.stderr);
    t.ok(existsSync(join(dir, 'data/warehouse.duckdb')));
    const typo = await cli(dir, ['--db', 'nowhere/w.duckdb']);
    t.equal(typo.exitCode, 2);
    t.match(typo.stderr, /the folder for the database does not exist: nowhere/);
  },
);
