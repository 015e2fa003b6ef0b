// `doctor` and `--version` (issue 30, item 6) through the real CLI: a line per check, ok / warning / error with
// the fix, exit 1 on an error; a real PostgreSQL and a real DuckLake where they are checked.
import t from 'tap';
import { execa } from 'execa';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, PKG, project } from './helpers.js';
import { LAKE_ENV, lakeServer, newLake } from './lake-server.js';

const ONE = { sql: { '01_a': { 'a.sql': 'CREATE OR REPLACE TABLE a AS SELECT 1 AS x;' } } };
const version = (JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as { version: string }).version;
/** The line of one check: "✔ ok      name  detail". */
const line = (out: string, name: string) => out.split('\n').find((l) => new RegExp(`^. \\S+ +${name} `).test(l)) ?? '';

t.test('--version prints the versions of ducksteps, DuckDB and Node.js', async (t) => {
  const run = await cli(t.testdir(), ['--version']);
  t.equal(run.exitCode, 0);
  t.equal(run.stdout, `ducksteps ${version}\nDuckDB 1.5.5 (@duckdb/node-api 1.5.5-r.5)\nNode.js ${process.version}`);
});

t.test('doctor on a healthy project: a line per check, every one ok, exit 0', async (t) => {
  const dir = project(t, undefined, ONE);
  t.equal((await cli(dir)).exitCode, 0);
  const run = await cli(dir, ['doctor']);
  t.equal(run.exitCode, 0, run.stdout);
  t.match(line(run.stdout, 'node'), `✔ ok      node        ${process.version}`);
  t.match(line(run.stdout, 'ducksteps'), new RegExp(`✔ ok +ducksteps +${version.replaceAll('.', '\\.')} \\(`));
  t.match(line(run.stdout, 'settings'), /ok +settings +package\.json "ducksteps": database data\/warehouse\.duckdb/);
  t.match(line(run.stdout, 'project'), /ok +project +1 step, 0 assertion files, 0 publish targets/);
  t.match(line(run.stdout, 'duckdb'), /ok +duckdb +v1\.5\.5/);
  t.match(line(run.stdout, 'extensions'), /ok +extensions +none needed by a DuckDB file/);
  t.match(line(run.stdout, 'warehouse'), /ok +warehouse +data\/warehouse\.duckdb \([\d.]+ MB\)/);
  t.match(line(run.stdout, 'disk'), /ok +disk +[\d.]+ GB free beside data/);
  t.match(line(run.stdout, 'lock'), /ok +lock +no run in progress/);
  t.match(run.stdout, /\ndoctor: 9 ok, 0 warnings, 0 errors$/);
});

t.test('a stale run lock is a warning with its fix; an unset DUCKSTEPS_PG_URL too (exit 0)', async (t) => {
  const dir = project(t, undefined, { ...ONE, publish: { 'a.sql': '-- publish: postgres ml.a\nSELECT * FROM a' } });
  const dead = execa(process.execPath, ['-e', '']);
  await dead; // a PID no process has any more
  writeFileSync(
    join(dir, 'data/warehouse.duckdb.lock'),
    JSON.stringify({ pid: dead.pid, runId: 'r1', startedAt: 'then' }),
  );
  const run = await cli(dir, ['doctor'], { DUCKSTEPS_PG_URL: '' });
  t.equal(run.exitCode, 0, run.stdout);
  t.match(
    run.stdout,
    new RegExp(
      `! warning lock +data/warehouse\\.duckdb\\.lock is stale: run r1 \\(PID ${dead.pid}, started then\\) died holding it\\n +fix: the next run removes it by itself; or delete data/warehouse\\.duckdb\\.lock`,
    ),
  );
  t.match(
    run.stdout,
    /! warning postgres +DUCKSTEPS_PG_URL is not set: 1 postgres target \(ml\.a\) is skipped\n +fix: export DUCKSTEPS_PG_URL=/,
  );
  t.match(run.stdout, /doctor: \d+ ok, 2 warnings, 0 errors$/);
});

t.test(
  'a PostgreSQL that answers is ok; one that does not, or a Spark that does not, is an error (exit 1)',
  async (t) => {
    const dir = project(t, undefined, { ...ONE, publish: { 'a.sql': '-- publish: postgres ml.a\nSELECT * FROM a' } });
    const server = await lakeServer(t);
    const up = await cli(dir, ['doctor'], { DUCKSTEPS_PG_URL: server.passwordUrl });
    t.equal(up.exitCode, 0, up.stdout);
    t.match(
      line(up.stdout, 'postgres'),
      /✔ ok +postgres +PostgreSQL \d+\.\d+ at postgres:\/\/ducksteps:\*\*\*@127\.0\.0\.1:\d+\/postgres for 1 postgres target \(ml\.a\)/,
    );
    const down = await cli(dir, ['doctor'], { DUCKSTEPS_PG_URL: 'postgres://nobody:pw@127.0.0.1:1/none' });
    t.equal(down.exitCode, 1);
    t.match(
      down.stdout,
      /✘ error +postgres +postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none \(DUCKSTEPS_PG_URL\) cannot be reached: .*ECONNREFUSED.*\n +fix: start the server or correct DUCKSTEPS_PG_URL/,
    );
    t.notMatch(down.stdout, /:pw@/, 'the password is never printed');
    const spark = await cli(dir, ['doctor', '--engine', 'spark'], { DUCKSTEPS_SPARK_URL: 'sc://127.0.0.1:1' });
    t.equal(spark.exitCode, 1);
    t.match(
      spark.stdout,
      /✘ error +spark +sc:\/\/127\.0\.0\.1:1 does not answer: .*\n +fix: start the cluster or its Connect server, or correct DUCKSTEPS_SPARK_URL/,
    );
    const unset = await cli(dir, ['doctor', '--engine', 'spark'], { DUCKSTEPS_SPARK_URL: '' });
    t.equal(unset.exitCode, 1);
    t.match(
      unset.stdout,
      /✘ error +settings +--engine spark needs the cluster: DUCKSTEPS_SPARK_URL is not set\n +fix: export DUCKSTEPS_SPARK_URL=/,
    );
  },
);

t.test(
  'a DuckLake: its extensions load and its PostgreSQL catalog answers; without the extensions, an error with the fix',
  async (t) => {
    const dir = project(t, undefined, ONE);
    const lake = await newLake(t, dir);
    const on = ['doctor', '--db', lake.db, '--data-path', lake.dataPath];
    const run = await cli(dir, on, LAKE_ENV);
    t.equal(run.exitCode, 0, run.stdout);
    t.match(line(run.stdout, 'extensions'), /✔ ok +extensions +ducklake, postgres_scanner load \(from /);
    t.match(
      line(run.stdout, 'warehouse'),
      /✔ ok +warehouse +DuckLake, catalog in PostgreSQL \d+\.\d+ \(postgres:.*password=\*\*\*/,
    );
    t.match(line(run.stdout, 'lock'), /ok +lock +kept in the lake's PostgreSQL/);
    const empty = join(dir, 'no-extensions');
    mkdirSync(empty);
    const missing = await cli(dir, on, { DUCKSTEPS_EXTENSION_DIR: empty });
    t.equal(missing.exitCode, 1);
    t.match(
      missing.stdout,
      /✘ error +extensions +ducklake: .*\n +fix: put ducklake\.duckdb_extension and postgres_scanner\.duckdb_extension in a folder named by DUCKSTEPS_EXTENSION_DIR/,
    );
  },
);

t.test('package.json pinning another ducksteps than the running one is an error: ./install.sh', async (t) => {
  const dir = project(t, undefined, {
    ...ONE,
    'package.json': JSON.stringify({ dependencies: { ducksteps: '9.9.9' } }),
  });
  const run = await cli(dir, ['doctor']);
  t.equal(run.exitCode, 1);
  t.match(
    run.stdout,
    new RegExp(
      `✘ error +ducksteps +package\\.json pins 9\\.9\\.9, and ${version.replaceAll('.', '\\.')} is running\\n +fix: \\./install\\.sh installs the pinned version`,
    ),
  );
});

t.test(
  'doctor says how old each input is: past warnAfter a warning (exit 0), past errorAfter an error (exit 1)',
  async (t) => {
    const input = { path: 'data/landing/ev/*.csv', freshness: { warnAfter: '1h', errorAfter: '2d' } };
    const dir = project(t, undefined, {
      ...ONE,
      'package.json': JSON.stringify({ name: 'fresh', ducksteps: { inputs: { events: input } } }),
    });
    mkdirSync(join(dir, 'data/landing/ev'), { recursive: true });
    const file = join(dir, 'data/landing/ev/a.csv');
    writeFileSync(file, 'id\n1\n');
    const age = (hours: number) => utimesSync(file, new Date(), new Date(Date.now() - hours * 3_600_000));
    age(0);
    t.match(line((await cli(dir, ['doctor'])).stdout, 'inputs'), /ok +inputs +events: newest file 0m old/);
    age(3);
    const late = await cli(dir, ['doctor']);
    t.equal(late.exitCode, 0, late.stdout);
    t.match(
      late.stdout,
      /! warning inputs +input events is late: its newest file data\/landing\/ev\/a\.csv arrived 3h 0m ago, past warnAfter 1h 0m\n +fix: check the delivery into data\/landing\/ev\/\*\.csv/,
    );
    age(72);
    const failed = await cli(dir, ['doctor']);
    t.equal(failed.exitCode, 1, failed.stdout);
    t.match(failed.stdout, /✘ error +inputs +input events is late: .* past errorAfter 2d 0h/);
  },
);
