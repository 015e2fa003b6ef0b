// Promises that held only in the common case before: atomicity against SQL that ends the transaction,
// exact reports of what a no-transaction file committed, no hang, per-database resume, closed stdout,
// streamed script output, a full disk.
import t from 'tap';
import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, exampleCopy, project, query, readCsv, PKG, REPO, CLI } from './helpers.js';

const base = { '01_base': { 'a.sql': 'CREATE OR REPLACE TABLE kept AS SELECT 1 AS x;' } };

t.test(
  'COMMIT inside a step is refused before anything of the step runs; the table it dropped is still there',
  async (t) => {
    const dir = project(t, undefined, {
      sql: { ...base, '02_oops': { '01.sql': 'DROP TABLE kept;\nCOMMIT;\nSELECT * FROM no_such_table;\n' } },
    });
    t.equal((await cli(dir, ['--only', 'base'])).exitCode, 0);
    const run = await cli(dir, ['--only', 'oops']);
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      /COMMIT is not allowed in a step[\s\S]*at sql\/02_oops\/01\.sql:2[\s\S]*nothing of 02_oops was committed/,
    );
    t.same(await query(join(dir, 'data/warehouse.duckdb'), 'SELECT x FROM kept'), [{ x: 1 }], 'the DROP never ran');
    const compile = await cli(dir, ['compile']);
    t.equal(compile.exitCode, 1, 'compile catches it too');
    t.match(compile.stdout + compile.stderr, /COMMIT is not allowed in a step[\s\S]*sql\/02_oops\/01\.sql:2/);
  },
);

t.test('a failing no-transaction file: the console and log say exactly which files committed', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      ...base,
      '02_mixed': {
        'a.sql': '-- ducksteps: no-transaction\nCREATE TABLE early AS SELECT 1 AS y;',
        'b.sql': 'CREATE TABLE later AS SELECT 2 AS z;\nSELECT * FROM no_such_table;',
      },
    },
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(
    run.stdout,
    /committed before the failure \(marked no-transaction\): sql\/02_mixed\/a\.sql; the rest of 02_mixed was rolled back/,
  );
  t.notMatch(run.stdout, /nothing of 02_mixed was committed/);
  const tables = await query(
    join(dir, 'data/warehouse.duckdb'),
    "SELECT table_name FROM information_schema.tables WHERE table_schema <> 'ducksteps' ORDER BY 1",
  );
  t.same(
    tables.map((r) => r.table_name),
    ['early', 'kept'],
  );
  const row = (await readCsv(join(dir, 'logs/run_log.csv'))).find((r) => r.step === '02_mixed');
  t.equal(row?.rows_changed, '1', 'rows_changed counts what was committed');
});

t.test('a run log that cannot be written stops the run before any step commits (exit 2, no hang)', async (t) => {
  const dir = project(t, undefined, { sql: base, logs: { 'run_log.csv': {} } }); // a folder where the file should be
  const run = await cli(dir);
  t.equal(run.exitCode, 2);
  t.match(run.stderr, /cannot write the run log logs\/run_log\.csv \(EISDIR\)\n\s+make logs\/ and its files writable/);
  t.notOk(existsSync(join(dir, 'data/warehouse.duckdb')), 'nothing ran');
});

t.test('--resume runs against the database the failed run used, and refuses another --db', async (t) => {
  const dir = project(t, undefined, {
    sql: { ...base, '02_b': { 'b.sql': 'CREATE OR REPLACE TABLE b AS SELECT {{ vars.v | int }} AS v;' } },
  });
  t.equal((await cli(dir, ['--db', 'data/c.duckdb'])).exitCode, 1, 'vars.v is missing: 02_b fails');
  const other = await cli(dir, ['--resume', '--db', 'data/w.duckdb', '--var', 'v=1']);
  t.equal(other.exitCode, 2);
  t.match(other.stderr, /cannot resume run \S+ on data\/w\.duckdb: it ran against data\/c\.duckdb/);
  const resumed = await cli(dir, ['--resume', '--var', 'v=7']);
  t.equal(resumed.exitCode, 0, 'the resumed run succeeded');
  t.same(await query(join(dir, 'data/c.duckdb'), 'SELECT v FROM b'), [{ v: 7 }]);
  t.notOk(existsSync(join(dir, 'data/warehouse.duckdb')), 'the default database was not touched');
});

t.test('a closed stdout (| head -2) does not stop the run: exit 0, every log row written', async (t) => {
  const dir = project(t, undefined, {
    sql: { ...base, '02_b': { 'b.sql': 'SELECT 1;' } },
    tests: { 'none.sql': 'SELECT 1 WHERE false;' },
  });
  const run = await execa('bash', ['-c', `set -o pipefail; node ${CLI} | head -2`], {
    cwd: dir,
    reject: false,
    env: { NO_COLOR: '1' },
  });
  t.equal(run.exitCode, 0, run.stderr);
  t.equal(run.stdout.split('\n').length, 2);
  t.notMatch(run.stderr, /EPIPE|at .*\.js:\d+/, 'no stack trace');
  const rows = await readCsv(join(dir, 'logs/run_log.csv'));
  t.same(
    rows.map((r) => r.step),
    ['01_base', '02_b', 'tests'],
  );
});

t.test("a step script's lines are printed as they come, and none is dropped", async (t) => {
  const gate = 'gate.txt';
  const script = `import { existsSync } from 'node:fs';
export async function before(ctx) {
  ctx.log('first line');
  const until = Date.now() + 30000;
  while (!existsSync('${gate}')) {
    if (Date.now() > until) throw new Error('the first line never reached the console');
    await new Promise((r) => setTimeout(r, 50));
  }
  for (let i = 1; i <= 200000; i++) ctx.log('line ' + i);
}`;
  const dir = project(t, undefined, { sql: { '01_talk': { 'a.sql': 'SELECT 1;' } }, steps: { '01_talk.ts': script } });
  const child = cli(dir);
  child.stdout?.on('data', (chunk: Buffer) => {
    if (String(chunk).includes('first line') && !existsSync(join(dir, gate))) writeFileSync(join(dir, gate), 'go');
  });
  const run = await child;
  t.equal(run.exitCode, 0, 'the step succeeded');
  const lines = run.stdout.split('\n').filter((l) => l.includes('│ line '));
  t.equal(lines.length, 200000, 'every line arrived');
  t.match(lines.at(-1), /line 200000$/);
});

t.test('a full disk when the run starts: exit 2 saying so, no empty lock file left', async (t) => {
  const mount = mkdtempSync(join(tmpdir(), 'ducksteps-full-'));
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { reject: false });
  if (mounted.exitCode !== 0)
    return t.fail(
      `a small tmpfs must mount to make a full disk (run the tests as root, as CI does): ${mounted.stderr.trim()}`,
    );
  t.teardown(async () => {
    await execa('umount', [mount], { reject: false });
    rmSync(mount, { recursive: true, force: true });
  });
  const dir = project(t, undefined, { sql: base });
  writeFileSync(join(mount, 'filler'), Buffer.alloc(60 * 1024));
  await execa('dd', ['if=/dev/zero', `of=${join(mount, 'rest')}`, 'bs=1k'], { reject: false }); // fill what is left
  const run = await cli(dir, ['--db', join(mount, 'w.duckdb')]);
  t.equal(run.exitCode, 2, run.stderr);
  t.match(run.stderr, /cannot write the run lock .*w\.duckdb\.lock \(ENOSPC\)\n\s+the disk is full/);
  t.notOk(existsSync(join(mount, 'w.duckdb.lock')), 'no empty lock file');
});

t.test(
  "run.bat's freshness rule: install after a lockfile change, build after a source edit, else nothing",
  async (t) => {
    const dir = t.testdir({
      'package-lock.json': '{}',
      node_modules: { '.package-lock.json': '{}' },
      packages: { ducksteps: { 'tsconfig.json': '{}', lib: { cli: { 'x.ts': '' } }, dist: { 'index.js': '' } } },
    });
    const at = (path: string, seconds: number) => utimesSync(join(dir, path), seconds, seconds);
    const check = async () =>
      (await execa(process.execPath, [join(PKG, 'bin/freshness.mjs')], { cwd: dir })).stdout.trim();
    at('package-lock.json', 1000);
    at('node_modules/.package-lock.json', 2000);
    at('packages/ducksteps/lib/cli/x.ts', 1000);
    at('packages/ducksteps/dist/index.js', 3000);
    t.equal(await check(), '', 'all current');
    at('packages/ducksteps/lib/cli/x.ts', 4000);
    t.equal(await check(), 'build', "in ducksteps' own repository, a framework source newer than its dist/");
    at('package-lock.json', 5000);
    t.equal(await check(), 'install', 'the lockfile changed (git pull)');
  },
);

t.test(
  'repeated --only runs the union in step order; --lock-timeout 0 is accepted; --threads -1 is a clear usage error',
  async (t) => {
    const dir = project(t, undefined, {
      sql: { ...base, '02_b': { 'b.sql': 'SELECT 1;' }, '03_c': { 'c.sql': 'SELECT 1;' } },
    });
    const run = await cli(dir, ['--only', 'c', '--only', 'base', '--lock-timeout', '0']);
    t.equal(run.exitCode, 0);
    t.same(
      (await readCsv(join(dir, 'logs/run_log.csv'))).map((r) => r.step),
      ['01_base', '03_c', 'tests'],
    );
    const negative = await cli(dir, ['--threads', '-1']);
    t.equal(negative.exitCode, 2);
    t.match(negative.stderr, /--threads must be a whole number >= 1, got "-1"/);
  },
);

t.test('compile checks step scripts too: a TypeScript syntax error at its file:line, exit 1', async (t) => {
  const dir = project(t, undefined, {
    sql: base,
    steps: { '01_base.ts': 'export function before(ctx) {\n  const x = ;\n}\n' },
  });
  const run = await cli(dir, ['compile']);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /error: TypeScript: Expression expected\.\n\s+at steps\/01_base\.ts:2/);
});

t.test("a step's duration counts from the moment its worker had the job, not from process start", async (t) => {
  const dir = project(t, undefined, { sql: base });
  const slowBoot = { NODE_OPTIONS: '--import=data:text/javascript,const%20e=Date.now()+2000;while(Date.now()<e);' }; // every process boots 2 s
  const run = await cli(dir, ['--json'], slowBoot);
  t.equal(run.exitCode, 0, run.stderr);
  const step = (JSON.parse(run.stdout) as { steps: Array<{ duration_ms: number; worker: { bootMs: number } }> })
    .steps[0];
  t.ok(step.worker.bootMs >= 2000, `the worker booted slowly (${step.worker.bootMs} ms)`);
  t.ok(step.duration_ms < 2000, `the step's duration (${step.duration_ms} ms) leaves the boot out`);
});

t.test(
  './run.sh with a package.json that is not JSON: one line and exit 2, also when it would rebuild or install first',
  async (t) => {
    const dir = exampleCopy(t.testdir());
    writeFileSync(join(dir, 'package.json'), '{ "ducksteps": ');
    utimesSync(join(dir, 'run.ts'), new Date(), new Date(Date.now() + 60_000)); // newer than its compiled copy: compiled again first
    const rebuild = await execa('./run.sh', ['compile'], { cwd: dir, reject: false });
    t.equal(rebuild.exitCode, 2);
    t.equal(
      rebuild.stderr,
      'ducksteps: package.json: cannot read settings: Unexpected end of JSON input\n  fix the JSON; see docs/running.md for the "ducksteps" keys',
    );
    rmSync(join(dir, 'node_modules')); // run.sh would install first
    const install = await execa('./run.sh', [], { cwd: dir, reject: false });
    t.equal(install.exitCode, 2);
    t.match(install.stderr, /^ducksteps: package\.json: cannot read settings: Unexpected end of JSON input\n/);
    t.notMatch(install.stderr, /npm|at .*:\d+:\d+/, 'no npm output, no stack trace');
  },
);

t.test(
  'logs/ filling up during a run: one message naming the file, exit 1, a run_log row saying so, no half-written file',
  async (t) => {
    const mount = mkdtempSync(join(tmpdir(), 'ducksteps-logs-'));
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mount], { reject: false });
    if (mounted.exitCode !== 0)
      return t.fail(
        `a small tmpfs must mount to make a full disk (run the tests as root, as CI does): ${mounted.stderr.trim()}`,
      );
    t.teardown(async () => {
      await execa('umount', [mount], { reject: false });
      rmSync(mount, { recursive: true, force: true });
    });
    const big = `-- ${'x'.repeat(120_000)}\nCREATE TABLE big AS SELECT 1 AS x;`; // its compiled copy does not fit in what is left
    const dir = project(t, undefined, { sql: { ...base, '02_big': { 'a.sql': big } } });
    symlinkSync(mount, join(dir, 'logs'));
    writeFileSync(join(mount, 'filler'), Buffer.alloc(170 * 1024));
    const run = await cli(dir);
    t.equal(run.exitCode, 1, run.stderr);
    t.match(
      run.stderr,
      /ducksteps: cannot write logs\/compiled\/02_big\/a\.sql \(ENOSPC: the disk is full\)\n\s+free space on the disk that holds logs\/ .*\.\/run\.sh --resume/,
    );
    t.notMatch(run.stderr, /internal error|at .*:\d+:\d+/, 'no stack trace');
    t.notOk(existsSync(join(mount, 'compiled/02_big/a.sql')), 'no half-written compiled file');
    const rows = await readCsv(join(dir, 'logs/run_log.csv'));
    t.same(
      rows.map((r) => `${r.step}:${r.status}`),
      ['01_base:ok', 'run:failed'],
    );
    t.match(String(rows[1].error), /cannot write logs\/compiled\/02_big\/a\.sql \(ENOSPC/);
    t.same(
      await query(
        join(dir, 'data/warehouse.duckdb'),
        "SELECT table_name FROM information_schema.tables WHERE table_schema <> 'ducksteps' ORDER BY 1",
      ),
      [{ table_name: 'kept' }],
      '02_big never ran',
    );
  },
);
