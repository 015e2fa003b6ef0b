// Targets (package.json "targets", --target), runs without side effects unless asked (--no-publish, partial
// runs, "publish": false), and --defer: a dev target builds what it selects and reads the rest from prod.
import t from 'tap';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, query, read, readCsv } from './helpers.js';

const TARGETS = {
  target: 'prod',
  targets: {
    prod: { database: 'data/prod.duckdb' },
    dev: { database: 'data/dev.duckdb', publish: false, vars: { label: 'dev' } },
    staging: { database: 'data/staging.duckdb', publish: { output: 'output/staging' } },
  },
};

/** Three plain steps: a big base table, a small aggregate of it, a report of the aggregate; one publish file. */
const files = (settings: object = TARGETS) => ({
  'package.json': JSON.stringify({ name: 'envs', ducksteps: settings }),
  sql: {
    '01_base': {
      'a.sql':
        'CREATE SCHEMA IF NOT EXISTS core;\nCREATE OR REPLACE TABLE core.base AS SELECT range AS id, md5(range::VARCHAR) AS pad FROM range(200000);',
    },
    '02_mid': {
      'a.sql':
        'CREATE SCHEMA IF NOT EXISTS mart;\nCREATE OR REPLACE TABLE mart.mid AS\nSELECT id % 10 AS k, count(*) AS n, \'{{ vars.label | default("prod") }}\' AS label\nFROM core.base GROUP BY ALL;',
    },
    '03_report': {
      'a.sql':
        'CREATE OR REPLACE TABLE mart.report AS\nSELECT count(*) AS groups, sum(n) AS total, min(label) AS label FROM mart.mid;',
    },
  },
  publish: { 'report.sql': '-- publish: file output/report.csv\nSELECT * FROM mart.report' },
  tests: { 'report.sql': '-- name: report_total\nSELECT * FROM mart.report WHERE total <> 200000' },
});

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

t.test('--target picks the warehouse, vars and logs folder; the default target keeps logs/', async (t) => {
  const dir = project(t, undefined, files());
  t.equal((await cli(dir)).exitCode, 0, 'the default target (prod)');
  t.ok(existsSync(join(dir, 'data/prod.duckdb')), "prod's warehouse");
  t.ok(existsSync(join(dir, 'logs/run_log.csv')), 'the default target logs to logs/');
  const dev = await cli(dir, ['--target', 'dev']);
  t.equal(dev.exitCode, 0, dev.stderr);
  t.same(
    await query(join(dir, 'data/dev.duckdb'), 'SELECT DISTINCT label FROM mart.mid'),
    [{ label: 'dev' }],
    "dev's vars",
  );
  t.ok(existsSync(join(dir, 'logs/dev/run_log.csv')), 'another target logs to logs/NAME/');
  t.equal(
    (await readCsv(join(dir, 'logs/run_log.csv'))).filter((r) => r.step === '01_base').length,
    1,
    "prod's log has prod's run only",
  );
  t.match(dev.stdout, 'report: logs/dev/report.html');
  const list = await cli(dir, ['list', '--target', 'dev', '--json']);
  t.equal(JSON.parse(list.stdout).steps[0].last_status, 'ok', "list --target reads that target's logs");
  const show = await cli(dir, ['show', 'mart.mid', '--target', 'dev', '--columns', 'label', '--limit', '1', '--csv']);
  t.equal(show.exitCode, 0, show.stderr);
  t.match(show.stdout, /^label\r?\ndev\b/, "show --target reads that target's warehouse (CSV lines end in CRLF)");
  const logs = await cli(dir, ['logs', '--target', 'dev']);
  t.equal(logs.exitCode, 0);
  t.match(logs.stdout, '02_mid');
});

t.test('a target that is not declared, and a bad target setting, are refused (exit 2)', async (t) => {
  const dir = project(t, undefined, files());
  const unknown = await cli(dir, ['--target', 'qa']);
  t.equal(unknown.exitCode, 2);
  t.match(unknown.stderr, '--target names target "qa", which package.json does not declare');
  t.match(unknown.stderr, 'targets: prod, dev, staging');
  const both = await cli(dir, ['--publish', '--no-publish']);
  t.equal(both.exitCode, 2);
  t.match(both.stderr, '--publish and --no-publish contradict each other');
  const state = await cli(dir, ['--select', 'state:new']);
  t.equal(state.exitCode, 2);
  t.match(state.stderr, '--select state:new: the state selector is state:modified');
  const spark = await cli(dir, ['--target', 'dev', '--defer', 'prod', '--engine', 'spark', '--only', '02_mid'], {
    DUCKSTEPS_SPARK_URL: 'sc://127.0.0.1:1',
  });
  t.equal(spark.exitCode, 2);
  t.match(spark.stderr, '--defer prod is not supported on Spark');
  const bad = project(
    t,
    undefined,
    files({ target: 'prod', targets: { prod: { database: 'data/p.duckdb', schema: 'x' } } }),
  );
  const refused = await cli(bad);
  t.equal(refused.exitCode, 2);
  t.match(refused.stderr, 'package.json: unknown setting "ducksteps"."targets"."prod"."schema"');
  const same = project(
    t,
    undefined,
    files({ target: 'a', targets: { a: { database: 'data/x.duckdb' }, b: { database: 'data/x.duckdb' } } }),
  );
  t.match((await cli(same)).stderr, 'targets "a" and "b" both use the database data/x.duckdb');
  const reserved = project(t, undefined, files({ target: 'compiled', targets: { compiled: {} } }));
  t.match((await cli(reserved)).stderr, 'target name "compiled" is not allowed');
  const noDefault = project(t, undefined, files({ targets: { a: {} } }));
  t.match((await cli(noDefault)).stderr, 'package.json declares "targets" but no default "target"');
});

t.test('a partial run publishes nothing unless --publish; --no-publish and "publish": false never do', async (t) => {
  const dir = project(t, undefined, files());
  const full = await cli(dir, ['--no-publish']);
  t.equal(full.exitCode, 0);
  t.match(full.stdout, '· publish: skipped (--no-publish)');
  t.notOk(existsSync(join(dir, 'output/report.csv')), '--no-publish delivered nothing');
  const partial = await cli(dir, ['--only', '03_report']);
  t.equal(partial.exitCode, 0);
  t.match(partial.stdout, '· publish: skipped (a partial run; --publish delivers)');
  t.notOk(existsSync(join(dir, 'output/report.csv')), 'a partial run delivered nothing');
  const asked = await cli(dir, ['--select', '03_report', '--publish']);
  t.equal(asked.exitCode, 0);
  t.ok(existsSync(join(dir, 'output/report.csv')), '--publish delivers a partial run');
  const dev = await cli(dir, ['--target', 'dev']);
  t.match(dev.stdout, '· publish: skipped (target dev has "publish": false)');
  const refused = await cli(dir, ['--target', 'dev', '--publish']);
  t.equal(refused.exitCode, 2);
  t.match(refused.stderr, '--publish cannot deliver: target dev has "publish": false');
  t.equal((await cli(dir, ['--target', 'staging'])).exitCode, 0);
  t.equal(read(join(dir, 'output/staging/report.csv')), read(join(dir, 'output/report.csv')), "staging's own folder");
});

t.test(
  '--defer prod: dev builds the selected steps, reads the rest from prod with no copy, prod unchanged',
  async (t) => {
    const dir = project(t, undefined, files());
    t.equal((await cli(dir)).exitCode, 0, 'prod built');
    const before = sha(join(dir, 'data/prod.duckdb'));
    rmSync(join(dir, 'output'), { recursive: true });
    writeFileSync(join(dir, 'sql/02_mid/a.sql'), read(join(dir, 'sql/02_mid/a.sql')).replace('id % 10', 'id % 7'));
    const run = await cli(dir, ['--target', 'dev', '--select', 'state:modified+', '--defer', 'prod']);
    t.equal(run.exitCode, 0, run.stderr);
    const steps = (await readCsv(join(dir, 'logs/dev/run_log.csv'))).filter((r) => /^\d/.test(String(r.step)));
    t.same(
      steps.map((r) => r.step),
      ['02_mid', '03_report'],
      'the selected steps only',
    );
    t.same(await query(join(dir, 'data/dev.duckdb'), 'SELECT groups, total FROM mart.report'), [
      { groups: 7, total: 200000 },
    ]);
    const tables = await query(
      join(dir, 'data/dev.duckdb'),
      "SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() WHERE schema_name <> 'ducksteps' UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1",
    );
    t.same(
      tables.map((r) => r.t),
      ['mart.mid', 'mart.report'],
      'core.base was read from prod, not copied',
    );
    const [dev, prod] = ['dev', 'prod'].map((n) => statSync(join(dir, `data/${n}.duckdb`)).size);
    // ducksteps' own tables (the ledger, the skip's state) take a few blocks; a copy of core.base would double it
    t.ok(dev * 2 < prod, `dev's file (${dev} B) is small beside prod's (${prod} B)`);
    t.equal(sha(join(dir, 'data/prod.duckdb')), before, 'prod byte for byte unchanged');
    t.notOk(existsSync(join(dir, 'output/report.csv')), 'nothing published');
    t.match(run.stdout, '03_report ok');
    t.match(run.stdout, '1 assertion gated it', "the report's gate ran on what dev built and read from prod");
    t.match(run.stdout, 'logs in logs/dev/');
  },
);

t.test("a deferred run reads prod's table, not dev's older copy, and puts that copy back", async (t) => {
  const dir = project(t, undefined, files());
  t.equal((await cli(dir)).exitCode, 0);
  t.equal((await cli(dir, ['--target', 'dev'])).exitCode, 0, 'dev built in full once');
  const run = await cli(dir, ['--target', 'dev', '--only', '03_report', '--defer', 'prod']);
  t.equal(run.exitCode, 0, run.stderr);
  t.same(
    await query(join(dir, 'data/dev.duckdb'), 'SELECT DISTINCT label FROM mart.mid'),
    [{ label: 'dev' }],
    "dev's own mart.mid kept",
  );
  t.same(
    await query(join(dir, 'data/dev.duckdb'), 'SELECT label FROM mart.report'),
    [{ label: 'prod' }],
    "03_report read prod's mart.mid",
  );
  const views = await query(join(dir, 'data/dev.duckdb'), 'SELECT view_name FROM duckdb_views() WHERE NOT internal');
  t.same(views, [], 'no view left behind');
});

t.test('a deferred read of a table prod does not have fails at file:line, naming both targets', async (t) => {
  const dir = project(t, undefined, files());
  t.equal((await cli(dir)).exitCode, 0);
  writeFileSync(
    join(dir, 'sql/03_report/a.sql'),
    '-- the report\nCREATE OR REPLACE TABLE mart.report AS\nSELECT * FROM mart.extra;',
  );
  const run = await cli(dir, ['--target', 'dev', '--only', '03_report', '--defer', 'prod']);
  t.equal(run.exitCode, 1);
  t.match(run.stdout + run.stderr, 'sql/03_report/a.sql:3');
  t.match(
    run.stdout + run.stderr,
    'mart.extra is read from target prod (deferred: target dev does not build it), and prod has no mart.extra',
  );
});

t.test('--defer refuses what it cannot do: an incremental step, a target not built yet, itself', async (t) => {
  const dir = project(t, undefined, files());
  const notBuilt = await cli(dir, ['--target', 'dev', '--only', '02_mid', '--defer', 'prod']);
  t.equal(notBuilt.exitCode, 1);
  t.match(notBuilt.stdout + notBuilt.stderr, 'target dev defers to target prod, whose warehouse');
  const self = await cli(dir, ['--target', 'prod', '--defer', 'prod']);
  t.equal(self.exitCode, 2);
  t.match(self.stderr, '--defer prod names the target this run builds');
  writeFileSync(join(dir, 'sql/02_mid/a.sql'), `-- ducksteps: incremental\n${read(join(dir, 'sql/02_mid/a.sql'))}`);
  const incremental = await cli(dir, ['--target', 'dev', '--only', '02_mid', '--defer', 'prod']);
  t.equal(incremental.exitCode, 2);
  t.match(incremental.stderr, '--defer prod cannot build 02_mid: it is incremental');
});

t.test('state:modified selects what changed since the state target built it, and list says why', async (t) => {
  const dir = project(t, undefined, files());
  t.equal((await cli(dir)).exitCode, 0, 'prod built: its state recorded');
  const none = await cli(dir, ['--target', 'staging', '--select', 'state:modified+', '--state', 'prod']);
  t.equal(none.exitCode, 0);
  t.match(none.stdout, "state:modified: no step differs from prod's last successful build: nothing to run");
  writeFileSync(join(dir, 'sql/02_mid/a.sql'), `${read(join(dir, 'sql/02_mid/a.sql'))}\n-- edited`);
  const list = await cli(dir, [
    'list',
    '--target',
    'staging',
    '--select',
    'state:modified+',
    '--state',
    'prod',
    '--json',
  ]);
  t.same(JSON.parse(list.stdout).selected, [
    { step: '02_mid', why: 'modified vs prod: sql/02_mid/a.sql changed' },
    { step: '03_report', why: 'reads what 02_mid builds' },
  ]);
  const plain = await cli(dir, ['list', '--select', 'state:modified', '--var', 'label=other', '--json']);
  t.same(
    JSON.parse(plain.stdout).selected,
    [{ step: '02_mid', why: 'modified vs prod: sql/02_mid/a.sql changed; var label changed (null -> "other")' }],
    'a var a step uses is part of it (no --state: the target itself)',
  );
  const tests = await cli(dir, ['test', '--select', 'state:modified+']);
  t.equal(tests.exitCode, 0);
  t.match(
    tests.stdout,
    '1 assertion: 1 passed',
    'test --select state:modified+: the assertions of what changed and reads it',
  );
  t.equal((await cli(dir, ['--only', '02_mid'])).exitCode, 0, 'prod builds the change');
  const after = await cli(dir, ['list', '--select', 'state:modified', '--json']);
  t.same(JSON.parse(after.stdout).selected, [], 'built ok: no longer modified');
});
