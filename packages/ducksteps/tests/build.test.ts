import t from 'tap';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, query, read, readCsv } from './helpers.js';

const tables = (db: string) =>
  query(db, "SELECT table_name FROM information_schema.tables WHERE table_schema <> 'ducksteps' ORDER BY 1");

t.test('a failing statement rolls back the whole step; later steps are skipped; exit 1', async (t) => {
  const dir = project(t, 'bad-sql');
  const db = join(dir, 'data/warehouse.duckdb');
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.same(await tables(db), [{ table_name: 'base' }], "only the first step's table exists");
  t.same(await query(db, 'SELECT count(*) AS n FROM base'), [{ n: 3 }], 'the insert of the failed step is gone');
  t.match(run.stdout, 'at sql/02_transform/02_second.sql:4');
  t.match(run.stdout, 'compiled SQL: logs/compiled/02_transform/02_second.sql:4');
  t.match(run.stdout, /Binder Error: Referenced column "no such, "column"" not found/);
  t.match(run.stdout, />\s+4 \|\s+"no such, ""column"""/, 'the failing line is shown and marked');
  t.notMatch(run.stdout + run.stderr, /\n\s+at .*\.js:\d+/, 'no stack trace');

  const runLog = await readCsv(join(dir, 'logs/run_log.csv'));
  t.same(
    runLog.map((r) => [r.step, r.status]),
    [
      ['01_setup', 'ok'],
      ['02_transform', 'failed'],
      ['03_after', 'skipped'],
      ['tests', 'skipped'],
    ],
  );
  t.match(runLog[1].error, /^sql\/02_transform\/02_second\.sql:4: Binder Error/);
  const stepLog = await readCsv(join(dir, 'logs/02_transform.csv'));
  t.same(
    stepLog.map((r) => [r.file, r.line, r.kind, r.status]),
    [
      ['sql/02_transform/01_first.sql', '2', 'CREATE_TABLE', 'ok'],
      ['sql/02_transform/01_first.sql', '3', 'INSERT', 'ok'],
      ['sql/02_transform/02_second.sql', '2', 'CREATE_TABLE', 'ok'],
      ['sql/02_transform/02_second.sql', '3', 'SELECT', 'failed'],
    ],
  );
  t.match(stepLog[3].error, /no such, "column"/, 'quotes and commas survive the CSV round trip');
});

t.test('the CSV logs have the documented headers', async (t) => {
  const dir = project(t, 'bad-sql');
  await cli(dir);
  t.equal(
    read(join(dir, 'logs/run_log.csv')).split('\r\n')[0],
    'run_id,step,status,started_at,finished_at,duration_ms,statements,rows_changed,error,batch_id,batch_files,peak_rss_mb,cpu_ms,bytes',
  );
  t.equal(
    read(join(dir, 'logs/01_setup.csv')).split('\r\n')[0],
    'run_id,step,file,statement,line,kind,rows_changed,duration_ms,status,error,batch_id',
  );
  await cli(dir);
  const runs = new Set((await readCsv(join(dir, 'logs/run_log.csv'))).map((r) => r.run_id));
  t.equal(runs.size, 2, 'logs append across runs');
});

t.test('a log written by an older version (fewer columns) is brought up to the new header, rows kept', async (t) => {
  const dir = project(t, 'ok');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(
    join(dir, 'logs/run_log.csv'),
    'run_id,step,status,started_at,finished_at,duration_ms,statements,rows_changed,error\r\nold-run,01_a,ok,,,5,1,1,\r\n',
  );
  t.equal((await cli(dir)).exitCode, 0);
  const rows = await readCsv(join(dir, 'logs/run_log.csv'));
  t.same(rows[0], {
    run_id: 'old-run',
    step: '01_a',
    status: 'ok',
    started_at: null,
    finished_at: null,
    duration_ms: '5',
    statements: '1',
    rows_changed: '1',
    error: null,
    batch_id: null,
    batch_files: null,
    peak_rss_mb: null,
    cpu_ms: null,
    bytes: null,
  });
  const lines = read(join(dir, 'logs/run_log.csv')).split('\r\n').filter(Boolean);
  t.ok(lines.length > 2, "the old row and the new run's rows");
  t.same(
    lines.map((l) => l.split(',').length),
    lines.map(() => 14),
    'every line, old and new, has all 14 cells',
  );
});

t.test('a worker that dies is a failed step naming the signal, and nothing of it is kept', async (t) => {
  const dir = project(t, undefined, {
    sql: { '01_die': { 'a.sql': 'CREATE TABLE kept_not AS SELECT 1;' }, '02_next': { 'a.sql': 'SELECT 1;' } },
    steps: {
      '01_die.ts':
        "export async function after(ctx) { await ctx.db.run('CREATE TABLE t2 AS SELECT 1'); process.kill(process.pid, 'SIGKILL'); }",
    },
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /killed by SIGKILL/);
  t.same(await tables(join(dir, 'data/warehouse.duckdb')), []);
  t.match(
    (await readCsv(join(dir, 'logs/run_log.csv'))).map((r) => r.status),
    ['failed', 'skipped', 'skipped'],
  );
});

t.test('a step script runs inside the step transaction, and its error points at the script line', async (t) => {
  const dir = project(t, undefined, {
    sql: { '01_s': { 'a.sql': 'CREATE TABLE from_sql AS SELECT 1 AS x;' } },
    steps: {
      '01_s.ts':
        "export async function before(ctx) {\n  await ctx.db.run('CREATE TABLE from_script AS SELECT 1');\n}\nexport async function after(ctx) {\n  throw new Error('boom in after');\n}\n",
    },
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /error: boom in after[\s\S]*at steps\/01_s\.ts:5/);
  t.same(
    await tables(join(dir, 'data/warehouse.duckdb')),
    [],
    'both the script table and the SQL table are rolled back',
  );
});

t.test('a template error is a failed step at the file and line', async (t) => {
  const dir = project(t, undefined, {
    sql: { '01_t': { 'a.sql': 'SELECT 1;\nSELECT {{ vars.nope }};' }, '02_u': { 'a.sql': 'SELECT 1;' } },
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /undefined value in \{\{ vars\.nope \}\}\n\s+at sql\/01_t\/a\.sql:2/);
});

t.test('package.json settings apply, and --var wins over them', async (t) => {
  const dir = project(t, undefined, {
    'package.json': JSON.stringify({ ducksteps: { database: 'data/other.duckdb', vars: { n: '2', label: 'pkg' } } }),
    sql: { '01_v': { 'a.sql': "CREATE TABLE v AS SELECT {{ vars.n }} AS n, '{{ vars.label }}' AS label;" } },
  });
  const run = await cli(dir, ['--var', 'n=7']);
  t.equal(run.exitCode, 0, run.stdout);
  t.same(await query(join(dir, 'data/other.duckdb'), 'SELECT * FROM v'), [{ n: 7, label: 'pkg' }]);
});

t.test('a no-transaction file runs statements that cannot run in a transaction', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_a': { '01.sql': 'CREATE TABLE a AS SELECT 1 AS x;', '02.sql': '-- ducksteps: no-transaction\nCHECKPOINT;' },
    },
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stdout);
  const plain = project(t, undefined, {
    sql: { '01_a': { '01.sql': 'CREATE TABLE a AS SELECT 1 AS x;\nCHECKPOINT;' } },
  });
  t.match(
    (await cli(plain)).stdout,
    /CHECKPOINT cannot run inside the step's transaction\n\s+at sql\/01_a\/01\.sql:2/,
    'without the marker it is refused before it runs',
  );
});

t.test('usage and configuration errors exit 2 with one clear message', async (t) => {
  const dir = project(t, 'ok');
  const cases: Array<[string[], RegExp]> = [
    [['--bogus'], /ducksteps: unknown option --bogus\n\s+see \.\/run\.sh --help/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--var', 'novalue'], /--var "novalue" is not name=value/],
    [['--threads', 'many'], /--threads must be a whole number/],
    [['--db', 'missing/folder/x.duckdb'], /folder for the database does not exist: missing\/folder/],
  ];
  for (const [args, message] of cases) {
    const run = await cli(dir, args);
    t.equal(run.exitCode, 2, args.join(' '));
    t.match(run.stderr, message);
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace');
  }
  t.notOk(existsSync(join(dir, 'data/warehouse.duckdb')), 'nothing ran');
});

t.test('--help prints usage and exits 0', async (t) => {
  const run = await cli(project(t, 'ok'), ['--help']);
  t.equal(run.exitCode, 0);
  t.match(run.stdout, /usage: \.\/run\.sh/);
});

t.test('a step still running gets heartbeat events with its elapsed time', async (t) => {
  const { build } = await import('../lib/run/build.js');
  const { loadSettings } = await import('../lib/project/config.js');
  const dir = project(t, undefined, {
    sql: { '01_slow': { 'a.sql': 'CREATE TABLE s AS SELECT count(*) AS n FROM range(100000000000) AS a;' } },
  });
  const beats: number[] = [];
  const result = await build({
    root: dir,
    settings: { ...loadSettings(dir), stepTimeoutMs: 2500 },
    heartbeatMs: 500,
    events: { onHeartbeat: (step, ms) => beats.push(ms) },
  });
  t.equal(result.steps[0].status, 'timed out');
  t.ok(beats.length >= 2, `${beats.length} heartbeats`);
  t.ok(
    beats.every((ms, i) => i === 0 || ms > beats[i - 1]),
    'elapsed time grows',
  );
});

t.test(
  'a warm worker that dies while it waits is dropped: the next step gets a live one and the run succeeds',
  async (t) => {
    const dir = project(t, undefined, {
      sql: {
        '01_slow': { 'a.sql': 'CREATE TABLE slow AS SELECT 3 AS n;' },
        '02_next': { 'a.sql': 'CREATE TABLE next AS SELECT n FROM slow;' },
        '03_last': { 'a.sql': 'CREATE TABLE last AS SELECT n FROM next;' },
      },
      steps: {
        '01_slow.ts': 'export async function before() { await new Promise((resolve) => setTimeout(resolve, 4000)); }\n',
      },
    });
    const run = cli(dir, ['--verbose']); // --verbose: a line as each step starts, to act on
    const { execa } = await import('execa');
    let output = '';
    run.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const childrenOf = async () =>
      (await execa('pgrep', ['-P', String(run.pid)], { reject: false })).stdout
        .split('\n')
        .filter(Boolean)
        .map(Number)
        .sort((a, b) => a - b);
    let children: number[] = [];
    for (let waited = 0; waited < 20_000 && !output.includes('01_slow started'); waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    for (let waited = 0; waited < 2000 && children.length < 2; waited += 100) {
      // step 1 runs (4 s), the next workers wait warm
      await new Promise((resolve) => setTimeout(resolve, 100));
      children = await childrenOf();
    }
    t.ok(children.length >= 2, `step 1's worker and warm ones are running (${children.length})`);
    for (const pid of children.slice(1)) process.kill(pid, 'SIGKILL'); // the warm ones (the first runs step 1)
    const done = await run;
    t.equal(done.exitCode, 0, done.stdout + done.stderr);
    t.same(await query(join(dir, 'data/warehouse.duckdb'), 'SELECT n FROM last'), [{ n: 3 }]);
  },
);
