// A DuckLake as the warehouse (catalog in a real PostgreSQL, Parquet in a folder): the same SQL and the same
// promises as a DuckDB file (atomic steps, gates before COMMIT, exactly-once batches, publish on pass), many
// writers (parallel steps, two pipelines, commit conflicts retried), a lock that lives with the lake, and a
// catalog password that never reaches the console or the logs.
import t from 'tap';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, printed, project, query, readCsv } from './helpers.js';
import { LAKE_ENV, newLake, EXTENSIONS } from './lake-server.js';
import { maskPassword } from '../lib/warehouse.js';

t.test('a reader querying the lake during a run sees the last committed snapshot, never half a step', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_pair': {
        'a.sql':
          'CREATE TABLE IF NOT EXISTS a (x INTEGER);\nCREATE TABLE IF NOT EXISTS b (x INTEGER);\nINSERT INTO a SELECT range FROM range(1000);\nINSERT INTO b SELECT range FROM range(1000);',
      },
    },
    steps: { '01_pair.ts': 'export async function after() { await new Promise((r) => setTimeout(r, 1500)); }\n' },
  });
  const lake = await newLake(t, dir);
  const args = ['--db', lake.db, '--data-path', lake.dataPath];
  t.equal((await cli(dir, args, LAKE_ENV)).exitCode, 0);
  const running = cli(dir, args, LAKE_ENV);
  const seen = new Set<string>();
  while (running.exitCode === null && seen.size < 50) {
    const [row] = await lake.query('SELECT (SELECT count(*) FROM a) AS a, (SELECT count(*) FROM b) AS b');
    seen.add(`${row.a}/${row.b}`);
    if (row.a !== row.b) break;
  }
  t.equal((await running).exitCode, 0);
  t.ok(
    [...seen].every((s) => s.split('/')[0] === s.split('/')[1]),
    `a and b always move together (${[...seen].join(', ')})`,
  );
  t.same(await lake.query('SELECT (SELECT count(*) FROM a) AS a, (SELECT count(*) FROM b) AS b'), [
    { a: 2000, b: 2000 },
  ]);
});

const BRANCHES = {
  '01_left': { 'a.sql': 'CREATE OR REPLACE TABLE left_t AS SELECT range AS x FROM range(10);' },
  '02_right': { 'a.sql': 'CREATE OR REPLACE TABLE right_t AS SELECT range AS x FROM range(10);' },
  '03_join': { 'a.sql': 'CREATE OR REPLACE TABLE joined AS SELECT count(*) AS n FROM left_t, right_t;' },
};
const SLOW = 'export async function after() { await new Promise((r) => setTimeout(r, 1500)); }\n';

/** [started, finished] of a step in the last run of the run log. */
async function window(dir: string, step: string): Promise<[number, number]> {
  const rows = await readCsv(join(dir, 'logs/run_log.csv'));
  const row = rows.filter((r) => r.run_id === rows.at(-1)!.run_id).find((r) => r.step === step)!;
  return [Date.parse(String(row.started_at)), Date.parse(String(row.finished_at))];
}

t.test(
  '--jobs 2 on a lake runs steps whose lineage does not connect at the same time; on a DuckDB file it says why it cannot',
  async (t) => {
    const tree = { sql: BRANCHES, steps: { '01_left.ts': SLOW, '02_right.ts': SLOW } };
    const dir = project(t, undefined, tree);
    // scripts order a step against every other; here the SQL alone says what they touch, so use a copy without them for the parallel case
    const plain = project(t, undefined, {
      sql: {
        ...BRANCHES,
        '01_left': { 'a.sql': `${BRANCHES['01_left']['a.sql']}\nSELECT count(*) FROM range(40000000);` },
        '02_right': { 'a.sql': `${BRANCHES['02_right']['a.sql']}\nSELECT count(*) FROM range(40000000);` },
      },
    });
    const lake = await newLake(t, plain);
    const run = await cli(plain, ['--db', lake.db, '--data-path', lake.dataPath, '--jobs', '2'], LAKE_ENV);
    t.equal(run.exitCode, 0, run.stdout + run.stderr);
    const [left, right, join3] = [
      await window(plain, '01_left'),
      await window(plain, '02_right'),
      await window(plain, '03_join'),
    ];
    t.ok(left[0] < right[1] && right[0] < left[1], 'left and right overlapped');
    t.ok(join3[0] >= Math.max(left[1], right[1]) - 5, 'join started after both committed');
    t.same(await lake.query('SELECT n FROM joined'), [{ n: 100 }]);
    const file = await cli(dir, ['--jobs', '2']);
    t.equal(file.exitCode, 0);
    t.match(file.stdout, /--jobs 2: a DuckDB file takes one writer at a time, so steps run one after another/);
    const [l, r] = [await window(dir, '01_left'), await window(dir, '02_right')];
    t.ok(l[1] <= r[0] + 5, 'one after the other');
  },
);

t.test(
  'two pipelines on one lake: different tables at once both succeed; the same table conflicts and the loser runs again; a second copy of a pipeline is refused',
  async (t) => {
    const root = t.testdir();
    const mk = (name: string, sql: string, script?: string) => {
      const dir = join(root, name);
      for (const folder of ['sql/01_write', 'steps', 'data']) mkdirSync(join(dir, folder), { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name }));
      writeFileSync(join(dir, 'sql/01_write/a.sql'), sql);
      if (script) writeFileSync(join(dir, 'steps/01_write.ts'), script);
      return dir;
    };
    // first: its transaction begins (a file says so), then waits for "go" before COMMIT; second commits in between
    const began = join(root, 'began');
    const go = join(root, 'go');
    const first = mk(
      'first',
      'CREATE OR REPLACE TABLE shared AS SELECT 1 AS who;\nCREATE OR REPLACE TABLE first_only AS SELECT 1 AS x;',
      `import { existsSync, writeFileSync } from 'node:fs';
export function before() { writeFileSync(${JSON.stringify(began)}, ''); }
export async function after() { while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 50)); }
`,
    );
    const second = mk(
      'second',
      'CREATE OR REPLACE TABLE shared AS SELECT 2 AS who;\nCREATE OR REPLACE TABLE second_only AS SELECT 1 AS x;',
    );
    const lake = await newLake(t, root);
    const args = ['--db', lake.db, '--data-path', lake.dataPath];
    writeFileSync(go, '');
    t.equal((await cli(first, args, LAKE_ENV)).exitCode, 0, 'the lake and the shared table exist');
    rmSync(go);
    rmSync(began);
    const a = cli(first, args, LAKE_ENV);
    while (!existsSync(began)) await new Promise((r) => setTimeout(r, 50));
    const b = await cli(second, args, LAKE_ENV);
    t.equal(b.exitCode, 0, 'the second pipeline runs while the first is inside its step, and commits first');
    writeFileSync(go, '');
    const done = await a;
    t.equal(done.exitCode, 0, 'the first pipeline succeeds too');
    t.match(
      done.stdout,
      /✔ 01_write ok in [^,]+, 2 rows, 2 statements \(ran again after 1 commit conflict\)/,
      'its commit lost to the second one: it ran the step again on the new snapshot',
    );
    t.same(
      await lake.query(
        'SELECT (SELECT who FROM shared) AS who, (SELECT count(*) FROM first_only) AS f, (SELECT count(*) FROM second_only) AS s',
      ),
      [{ who: 1, f: 1, s: 1 }],
    );

    const copy = join(root, 'first-copy');
    cpSync(first, copy, { recursive: true });
    rmSync(go);
    const running = cli(first, [...args, '--verbose'], LAKE_ENV); // --verbose: a line as each step starts, to act on
    await printed(running, '▶ 01_write');
    const refused = await cli(copy, args, LAKE_ENV);
    t.equal(refused.exitCode, 2, 'a second checkout of the same pipeline, elsewhere, is refused at once');
    t.match(
      refused.stderr,
      /the lake is in use by another ducksteps run of pipeline "first" \(host [^,]+, PID \d+, run \S+, started \S+\)/,
    );
    writeFileSync(go, '');
    t.equal((await running).exitCode, 0);
    t.notMatch(refused.stderr + refused.stdout, /secret-pw/);
  },
);

t.test(
  'what DuckLake cannot do fails the step at file:line, saying so; a wrong catalog is one clear message without the password',
  async (t) => {
    const dir = project(t, undefined, {
      sql: { '01_pk': { 'a.sql': 'SELECT 1;\nCREATE TABLE k (id INTEGER PRIMARY KEY);' } },
    });
    const lake = await newLake(t, dir);
    const run = await cli(dir, ['--db', lake.db, '--data-path', lake.dataPath], LAKE_ENV);
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      /Not implemented Error: PRIMARY KEY\/UNIQUE constraints are not supported in DuckLake\n\s+at sql\/01_pk\/a\.sql:2/,
    );
    t.match(run.stdout, /hint: DuckLake does not support/);
    const wrong = await cli(dir, ['--db', lake.db.replace('secret-pw', 'wrong-pw')], LAKE_ENV);
    t.equal(wrong.exitCode, 2);
    t.match(wrong.stderr, /password authentication failed/);
    t.notMatch(wrong.stderr + wrong.stdout, /wrong-pw/, 'the password is not printed');
    t.equal(maskPassword(lake.db).includes('secret-pw'), false);
  },
);

t.test('a lake with its catalog in a DuckDB file: one writer, the same SQL', async (t) => {
  const dir = project(t, 'ok');
  const run = await cli(dir, ['--db', 'ducklake:data/catalog.ducklake', '--jobs', '2'], {
    DUCKSTEPS_EXTENSION_DIR: EXTENSIONS,
  });
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.match(run.stdout, /--jobs 2: .* one writer at a time/);
  t.ok(
    existsSync(join(dir, 'data/catalog.ducklake')) && existsSync(join(dir, 'data/lake')),
    'the catalog file and the data folder',
  );
  t.same(
    await query(
      join(dir, 'data/catalog.ducklake'),
      "SELECT count(*) > 0 AS ok FROM ducklake_table WHERE table_name = 'totals'",
    ),
    [{ ok: true }],
  );
});

t.test(
  'an existing DuckDB-file warehouse moves into a lake with COPY FROM DATABASE, ledger included (docs/scale.md)',
  async (t) => {
    const load =
      "-- ducksteps: incremental\nCREATE TABLE IF NOT EXISTS ev (v INTEGER);\nINSERT INTO ev SELECT v FROM read_csv({{ batch.files.ev }}, header = true, columns = {'v': 'INTEGER'});";
    const dir = project(t, undefined, {
      'package.json': JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
      sql: { '01_load': { 'a.sql': load } },
      data: { landing: { 'a.csv': 'v\n1\n' } },
    });
    t.equal((await cli(dir)).exitCode, 0, 'built on a DuckDB file');
    const lake = await newLake(t, dir);
    const { scratch } = await import('./lake-server.js');
    const db = await scratch();
    process.env.PGPASSWORD = 'secret-pw';
    await db.run(`ATTACH '${join(dir, 'data/warehouse.duckdb')}' AS old (READ_ONLY)`);
    await db.run(`ATTACH '${lake.db.replace(/ password=\S+/, '')}' AS lake (DATA_PATH '${lake.dataPath}/')`);
    await db.run('COPY FROM DATABASE old TO lake');
    db.close();
    const again = await cli(dir, ['--db', lake.db, '--data-path', lake.dataPath], LAKE_ENV);
    t.equal(again.exitCode, 0, again.stdout + again.stderr);
    t.match(again.stdout, /ev: nothing new \(1 loaded/, 'the lake knows the file is loaded: nothing twice');
    writeFileSync(join(dir, 'data/landing/b.csv'), 'v\n2\n');
    t.equal((await cli(dir, ['--db', lake.db, '--data-path', lake.dataPath], LAKE_ENV)).exitCode, 0);
    t.same(
      await lake.query("SELECT string_agg(v::VARCHAR, ',' ORDER BY v) AS v FROM ev"),
      [{ v: '1,2' }],
      'the next file lands in the lake',
    );
  },
);
