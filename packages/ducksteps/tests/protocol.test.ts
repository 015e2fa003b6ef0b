// The driver <-> worker protocol (docs/internals.md): each job kind, run by a real worker process from a
// WorkerPool against a temporary database, answers with its own answer type; messages are narrowed; the
// compiler refuses a handler table with a kind missing and a caller expecting the wrong answer.
import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { WorkerPool } from '../lib/processes/pool.js';
import { isWorkerMessage } from '../lib/protocol.js';
import type { Connection, RenderedFile } from '../lib/model.js';
import { PKG, REPO, query } from './helpers.js';

const rendered = (file: string, sql: string, transaction = true): RenderedFile => ({
  file,
  compiled: `logs/compiled/${file}`,
  sql,
  lineMap: sql.split('\n').map((_, i) => i + 1),
  transaction,
});

t.test('every job kind runs in a worker and answers with its own type', async (t) => {
  const root = t.testdir({ logs: {} });
  const connection: Connection = { warehouse: { engine: 'duckdb', path: join(root, 'w.duckdb') }, pipeline: 'p' };
  const pool = new WorkerPool(root);
  t.teardown(() => pool.close());
  const failuresDir = join(root, 'logs', 'test_failures');
  const batch = {
    id: 1,
    fullRefresh: false,
    isNew: true,
    done: [],
    location: {},
    files: [{ input: 'orders', path: 'data/a.csv', size: 3, mtimeMs: 1, sha256: 'ab' }],
  };
  const gate = {
    name: 'no_negatives',
    file: 'tests/n.sql',
    line: 1,
    severity: 'error' as const,
    sql: 'SELECT * FROM t WHERE x < 0',
    compiled: '',
  };

  const step = await pool.run({
    kind: 'step',
    connection,
    step: { number: 1, name: 'a', id: '01_a' },
    vars: {},
    files: [rendered('sql/01_a/a.sql', 'CREATE TABLE t AS SELECT 1 AS x;\nINSERT INTO t VALUES (2);')],
    ledger: { step: '01_a', runId: 'r1', batch },
    gates: [gate],
    failuresDir,
  });
  t.ok('result' in step && step.result.status === 'ok', 'step: ok');
  if ('result' in step) {
    t.same(
      step.result.committed.map((s) => [s.line, s.kind, s.rowsChanged]),
      [
        [1, 'CREATE_TABLE', 1],
        [2, 'INSERT', 1],
      ],
      'it says what it committed',
    );
    t.same(
      step.result.assertions?.map((a) => [a.name, a.status]),
      [['no_negatives', 'pass']],
      'the gate ran before COMMIT',
    );
  }

  const bad = await pool.run({
    kind: 'step',
    connection,
    step: { number: 2, name: 'b', id: '02_b' },
    vars: {},
    files: [
      rendered('sql/02_b/a.sql', 'CREATE TABLE u AS SELECT 1 AS y;'),
      rendered('sql/02_b/b.sql', 'SELECT nope FROM u;'),
    ],
    failuresDir,
  });
  t.ok(
    'result' in bad &&
      bad.result.status === 'failed' &&
      bad.result.committed.length === 0 &&
      bad.result.error?.line === 1,
    'a failing step commits nothing and names file:line',
  );

  const ledger = await pool.run({ kind: 'ledger', connection });
  t.same(
    'result' in ledger && 'ledger' in ledger.result && [ledger.result.ledger.batches, ledger.result.ledger.stepBatches],
    [[{ id: 1, fullRefresh: false }], [{ step: '01_a', batchId: 1 }]],
    'ledger: the batch the step recorded',
  );

  const assert = await pool.run({
    kind: 'assert',
    connection,
    assertions: [{ ...gate, name: 'some', sql: 'SELECT * FROM t WHERE x > 1' }],
    failuresDir,
  });
  t.same(
    'result' in assert && assert.result.results.map((r) => [r.name, r.status, r.failingRows]),
    [['some', 'fail', 1]],
    'assert: offending rows counted',
  );
  t.ok(existsSync(join(failuresDir, 'some.csv')), 'and written to logs/test_failures/');

  const rows = await pool.run({ kind: 'query', connection, queries: ['SELECT sum(x) AS s FROM t', 'SELECT 1 AS one'] });
  t.same(
    'result' in rows && 'results' in rows.result && rows.result.results.map((r) => r.rows),
    [[{ s: 3 }], [{ one: 1 }]],
    'query: rows of each query',
  );
  const missing = await pool.run({
    kind: 'query',
    connection: { warehouse: { engine: 'duckdb', path: join(root, 'none.duckdb') }, pipeline: 'p' },
    queries: ['SELECT 1'],
  });
  t.match(
    'result' in missing && missing.result,
    { error: /does not exist yet/ },
    'query: a missing warehouse is an answer, not a crash',
  );

  const probe = await pool.run({ kind: 'probe', connection, extensions: ['json', 'no_such_extension'] });
  t.match(
    'result' in probe && probe.result,
    { duckdb: /^v\d+\.\d+\.\d+/, extensions: [{ name: 'json' }, { name: 'no_such_extension', error: /./ }] },
    "probe: DuckDB's version, each extension loaded or why not, without opening the warehouse",
  );
  t.notOk('result' in probe && probe.result.extensions[0].error, 'a built-in extension loads');

  const parse = await pool.run({ kind: 'parse', files: [rendered('sql/x.sql', 'SELECT 1;\nSELEC 2;')] });
  t.same(
    'result' in parse && [parse.result.statements, parse.result.errors.map((e) => [e.file, e.line])],
    [1, [['sql/x.sql', 2]]],
    'parse: the error at its line',
  );

  const lineage = await pool.run({
    kind: 'lineage',
    statements: ['SELECT * FROM core.orders o JOIN mart.x USING (id)', 'DELETE FROM t'],
  });
  t.same(
    'result' in lineage && lineage.result,
    [['core.orders', 'mart.x'], null],
    "lineage: the parser's reads, null where it cannot tell",
  );

  const publish = await pool.run({
    kind: 'publish',
    connection,
    targets: [
      {
        file: 'publish/a.sql',
        kind: 'file',
        destination: 'out/t.csv',
        mode: 'replace',
        key: [],
        options: {},
        sql: 'SELECT x FROM t ORDER BY x',
      },
    ],
    runId: 'r1',
    batchSteps: [],
    runBatches: [],
    timeoutMs: 60_000,
  });
  t.same('result' in publish && publish.result.map((o) => [o.status, o.rows]), [['ok', 2]], 'publish: delivered');
  t.same(await query(join(root, 'w.duckdb'), 'SELECT count(*) AS n FROM t'), [{ n: 2 }]);

  const memory = { warehouse: { engine: 'duckdb' as const, path: ':memory:' }, pipeline: 'p' };
  const test = {
    name: 'doubles',
    step: '03_c',
    file: 'tests/unit/03_c.yaml',
    line: 1,
    vars: {},
    now: '2000-01-01 00:00:00',
    timeZone: 'UTC',
    files: [],
    given: [{ table: 't', types: {}, columns: ['x'], rows: [['5']], lines: [3], line: 2 }],
    expect: [{ table: 'u', key: [], ordered: false, columns: ['y'], rows: [['10']], lines: [5], line: 4 }],
  };
  const unit = await pool.run({
    kind: 'unit',
    tests: [
      {
        test,
        ddl: {},
        job: {
          kind: 'step',
          connection: memory,
          step: { number: 3, name: 'c', id: '03_c' },
          vars: {},
          files: [rendered('sql/03_c/a.sql', 'CREATE TABLE u AS SELECT x * 2 AS y FROM t;')],
          failuresDir,
        },
      },
    ],
  });
  t.same(
    'result' in unit && unit.result.map((r) => [r.name, r.status, r.diffs]),
    [['doubles', 'pass', []]],
    'unit: the step on the given rows, compared',
  );
  t.same(
    await query(join(root, 'w.duckdb'), "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name IN ('u')"),
    [{ n: 0 }],
    'the warehouse is not touched',
  );
});

t.test(
  'the pool owns its temporary folder: result files are gone after each job, the folder after close',
  async (t) => {
    const pool = new WorkerPool(t.testdir());
    t.ok(existsSync(pool.folder), 'a folder of its own while it lives');
    await pool.run({ kind: 'lineage', statements: ['SELECT 1'] });
    t.same(readdirSync(pool.folder), [], 'no result file left after the answer is read');
    pool.close();
    t.notOk(existsSync(pool.folder), 'removed on close');
  },
);

t.test('worker messages are narrowed by kind; anything else is ignored', async (t) => {
  t.ok(isWorkerMessage({ kind: 'ready' }));
  t.ok(isWorkerMessage({ kind: 'answered' }));
  t.ok(
    isWorkerMessage({
      kind: 'progress',
      progress: { file: 'a', line: 1, index: 1, count: 1, percentage: 5, rows: 0, elapsedMs: 2000 },
    }),
  );
  t.notOk(isWorkerMessage({ kind: 'progress' }), 'a progress message without its progress');
  t.notOk(isWorkerMessage({ kind: 'other' }));
  t.notOk(isWorkerMessage(null));
});

/** Type errors of each snippet, compiled together against lib/ in one program (nothing is emitted). */
function typeErrors(dir: string, sources: Record<string, string>): Record<string, string> {
  const files = Object.entries(sources).map(([name, source]) => {
    const file = join(dir, `${name}.ts`);
    writeFileSync(file, source.replaceAll('LIB', join(PKG, 'lib')));
    return [name, file] as const;
  });
  const program = ts.createProgram(
    files.map(([, f]) => f),
    {
      strict: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(REPO, 'node_modules', '@types')],
    },
  );
  const all = ts.getPreEmitDiagnostics(program);
  return Object.fromEntries(
    files.map(([name, file]) => [
      name,
      all
        .filter((d) => d.file?.fileName === file)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
        .join('\n'),
    ]),
  );
}

t.test('the compiler refuses a handler table missing a kind, and a caller expecting the wrong answer', async (t) => {
  const dir = mkdtempSync(join(REPO, '.tap-probe-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const errors = typeErrors(dir, {
    missing: `import type { Handlers } from 'LIB/protocol.js';
const h: Omit<Handlers, 'ledger'> = {} as never;
export const table: Handlers = { ...h };`,
    wrong: `import { WorkerPool } from 'LIB/processes/pool.js';
import type { Ledger } from 'LIB/model.js';
export async function f(pool: WorkerPool): Promise<Ledger | undefined> {
  const answer = await pool.run({ kind: 'parse', files: [] });
  return 'result' in answer ? answer.result : undefined;
}`,
    right: `import { WorkerPool } from 'LIB/processes/pool.js';
import type { ParseReport } from 'LIB/results.js';
export async function f(pool: WorkerPool): Promise<ParseReport | undefined> {
  const answer = await pool.run({ kind: 'parse', files: [] });
  return 'result' in answer ? answer.result : undefined;
}`,
  });
  t.match(errors.missing, /Property 'ledger' is missing/, 'a kind without a handler');
  t.match(
    errors.wrong,
    /'ParseReport' is missing the following properties from type 'Ledger'/,
    'a parse job does not answer a Ledger',
  );
  t.equal(errors.right, '', 'the right answer type compiles');
});
