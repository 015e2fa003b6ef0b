// Slow (3 min on 2 busy cores): five runs of the CLI on Spark, with publish to a real PostgreSQL.
// The spark engine with incremental batches, publish and a secret in the cluster's URL, on a real local cluster:
// each landing file is loaded exactly once through a failed batch and a rerun (the batch ledger commits with the
// step's versions); publish delivers the cluster's rows to a file and to a real PostgreSQL; the URL's secret is in
// no log and not on the console, and a token to a server without TLS is one clear message.
import t from 'tap';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { project, query, read } from './helpers.js';
import { startPostgres } from './postgres-server.js';
import { sparkClusterFor } from './spark-shared.js';
import { onSpark, sparkCli, tablesOf } from './spark-run.js';

t.setTimeout(480_000); // a safety margin over tap's 300 s on a loaded machine; the file takes about 2.5 minutes here

const LOAD = `-- ducksteps: incremental
CREATE SCHEMA IF NOT EXISTS ev;
CREATE TABLE IF NOT EXISTS ev.events (batch_id INT, file STRING, k STRING, v INT);
{% for path in batch.paths.events %}
CREATE OR REPLACE TEMPORARY VIEW file_{{ loop.index }} (k STRING, v STRING)
USING csv OPTIONS (path {{ path | absolute | sql_string }}, header 'true', __globPaths__ 'false');
INSERT INTO ev.events SELECT {{ batch.id }}, {{ path.split('/') | last | sql_string }}, k, CAST(v AS INT) FROM file_{{ loop.index }};
{% endfor %}
{% if (vars.fail_batch | default('')) == (batch.id | string) %}
SELECT no_such_column FROM ev.events;
{% endif %}
`;
const SECRET = 'sekrit-4242';

const pg = await startPostgres(); // before the lease: the cluster is not held while PostgreSQL starts
t.teardown(() => pg.stop());
const { url } = await sparkClusterFor(t, { schemas: ['ev'] });
await pg.query('CREATE SCHEMA ml');
const dir = project(t, undefined, {
  'package.json': JSON.stringify({
    name: 'events',
    ducksteps: { database: 'data/ledger.duckdb', inputs: { events: 'data/landing/*.csv' }, archive: 'data/archive' },
  }),
  sql: {
    '01_load': { '01_events.sql': LOAD },
    '02_totals': {
      '01_totals.sql':
        'CREATE OR REPLACE TABLE ev.totals AS SELECT k, sum(v) AS total, count(*) AS n FROM ev.events GROUP BY k;',
    },
  },
  tests: { 'events.sql': "-- name: each_file_once\n{{ unique('ev.events', ['file', 'k']) }};\n" },
  publish: {
    '01_file.sql': '-- publish: file out/totals.csv\nSELECT * FROM ev.totals ORDER BY k',
    '02_pg.sql': '-- publish: postgres ml.totals\n-- mode: upsert\n-- key: k\nSELECT * FROM ev.totals',
  },
});
const land = (name: string, rows: string[]) => {
  mkdirSync(join(dir, 'data', 'landing'), { recursive: true });
  writeFileSync(join(dir, 'data', 'landing', name), `k,v\n${rows.join('\n')}\n`);
};
const withSecret = `${url}/;x-api-key=${SECRET}`; // a credential-named parameter: sent as a header, never shown
const consoles: string[] = [];
const run = async (args: string[] = [], sparkUrl = withSecret) => {
  const started = Date.now();
  const result = await sparkCli(dir, sparkUrl, args, { DUCKSTEPS_PG_URL: pg.url });
  consoles.push(result.stdout, result.stderr);
  t.comment(`run ${args.join(' ')}: exit ${result.exitCode} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
};
const ledger = join(dir, 'data', 'ledger.duckdb');
const perFile = async () =>
  Object.fromEntries(
    (await onSpark(url, 'SELECT file, count(*) AS n FROM ev.events GROUP BY file ORDER BY file')).map((r) => [
      r.file,
      r.n,
    ]),
  );

t.test('two files in one batch: loaded, gated, published to a file and to PostgreSQL', async (t) => {
  land('a.csv', ['x,1', 'y,2']);
  land('b.csv', ['x,10', 'z,3']);
  const first = await run();
  t.equal(first.exitCode, 0, 'exit 0', { output: first.stdout + first.stderr });
  t.match(first.stdout, /01_load batch 1 \(2 files\) ok/);
  t.same(await perFile(), { 'a.csv': 2, 'b.csv': 2 });
  t.equal(read(join(dir, 'out', 'totals.csv')), 'k,total,n\nx,11,2\ny,2,1\nz,3,1\n', 'the file holds the cluster rows');
  t.same((await pg.query('SELECT k, total::int, n::int FROM ml.totals ORDER BY k')).rows, [
    { k: 'x', total: 11, n: 2 },
    { k: 'y', total: 2, n: 1 },
    { k: 'z', total: 3, n: 1 },
  ]);
});

t.test(
  'a batch that fails leaves its files unloaded and nothing of it visible; the rerun loads each file exactly once',
  async (t) => {
    land('c.csv', ['x,100']);
    land('d.csv', ['w,7']);
    const failed = await run(['--batch-size', '1', '--var', 'fail_batch=3']);
    t.equal(failed.exitCode, 1);
    t.match(failed.stdout, /01_load batch 2 \(1 file\) ok/);
    t.match(failed.stdout, /01_load batch 3 \(1 file\) failed/);
    t.match(failed.stdout, /at sql\/01_load\/01_events\.sql:10/);
    t.same(await perFile(), { 'a.csv': 2, 'b.csv': 2, 'c.csv': 1 }, 'batch 2 committed, batch 3 did not');
    t.same(
      (await query(ledger, 'SELECT path FROM ducksteps.loaded_files ORDER BY path')).map((r) => r.path),
      ['data/landing/a.csv', 'data/landing/b.csv', 'data/landing/c.csv'],
    );
    t.same(
      (await pg.query('SELECT k, total::int FROM ml.totals ORDER BY k')).rows.map((r) => r.total),
      [11, 2, 3],
      'nothing published from a failed run',
    );

    const rerun = await run(['--batch-size', '1']);
    t.equal(rerun.exitCode, 0, 'exit 0', { output: rerun.stdout + rerun.stderr });
    t.match(rerun.stdout, /01_load batch 3 \(1 file\) ok/);
    t.same(await perFile(), { 'a.csv': 2, 'b.csv': 2, 'c.csv': 1, 'd.csv': 1 });
    const again = await run();
    t.equal(again.exitCode, 0);
    t.match(again.stdout, /nothing new/);
    t.same(await perFile(), { 'a.csv': 2, 'b.csv': 2, 'c.csv': 1, 'd.csv': 1 }, 'a run with nothing new loads nothing');
    t.same(
      await query(ledger, 'SELECT count(*) AS files, count(DISTINCT path) AS paths FROM ducksteps.loaded_files'),
      [{ files: 4, paths: 4 }],
      'each file once in the ledger',
    );
    t.same(
      await query(ledger, "SELECT batch_id FROM ducksteps.step_batches WHERE step = '01_load' ORDER BY batch_id"),
      [{ batch_id: 1 }, { batch_id: 2 }, { batch_id: 3 }],
    );
    t.same(
      (await pg.query('SELECT k, total::int FROM ml.totals ORDER BY k')).rows,
      [
        { k: 'w', total: 7 },
        { k: 'x', total: 111 },
        { k: 'y', total: 2 },
        { k: 'z', total: 3 },
      ],
      'upserted',
    );
    const versions = (await tablesOf(url, 'ev')).filter((name) => name.startsWith('events__ds'));
    t.ok(
      versions.length <= 3,
      `ev.events keeps its current version, the one before and at most one retired until the next start (${versions.join(', ')})`,
    );
  },
);

t.test(
  "the URL's secret is on no console and in no log; a token to a server without TLS is one clear message",
  async (t) => {
    const files = (folder: string): string[] =>
      readdirSync(folder).flatMap((f) =>
        statSync(join(folder, f)).isDirectory() ? files(join(folder, f)) : [join(folder, f)],
      );
    t.same(
      files(join(dir, 'logs')).filter((f) => readFileSync(f, 'utf8').includes(SECRET)),
      [],
      'no log file holds it',
    );
    t.notOk(
      consoles.some((c) => c.includes(SECRET)),
      'no console output of the runs above holds it',
    );
    const token = await run([], `${url}/;token=${SECRET}`);
    t.equal(token.exitCode, 2);
    t.match(
      token.stdout + token.stderr,
      /cannot prepare the Spark warehouse Spark at sc:\/\/127\.0\.0\.1:\d+\/;token=\*\*\* .*: cannot reach Spark Connect at 127\.0\.0\.1:\d+ over TLS: the server answers without TLS/,
    );
    t.notMatch(token.stdout + token.stderr, SECRET);
    t.same(
      files(join(dir, 'logs')).filter((f) => readFileSync(f, 'utf8').includes(SECRET)),
      [],
      'still none',
    );
  },
);
