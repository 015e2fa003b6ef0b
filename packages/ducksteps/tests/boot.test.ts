// What a worker loads: one that opens a DuckDB file boots without the DuckLake and Spark clients (gRPC,
// protobuf, Arrow); they load only in a worker that opens a lake or a cluster (engines/open.ts). The driver of
// such a run loads neither the PostgreSQL client (a lake's lock and the publish workers need it) nor the YAML
// parser (only a step with a contract.yaml).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli, FIXTURES, project } from './helpers.js';

t.test('a DuckDB worker does not load gRPC, protobuf, Arrow or the DuckLake and Spark engines', async (t) => {
  const dir = project(t, undefined, {
    sql: { '01_a': { 'a.sql': 'CREATE TABLE t AS SELECT 1 AS x;' } },
    tests: { 'x.sql': 'SELECT * FROM t WHERE x IS NULL;' },
  });
  const trace = join(dir, 'modules.txt');
  const hook = pathToFileURL(join(FIXTURES, 'module-trace', 'register.mjs')).href;
  const run = await cli(dir, [], { NODE_OPTIONS: `--import=${hook}`, DUCKSTEPS_MODULE_TRACE: trace });
  t.equal(run.exitCode, 0, run.stderr);
  const lines = readFileSync(trace, 'utf8').trim().split('\n');
  const byProcess = new Map<string, string[]>();
  for (const line of lines) {
    const [pid, url] = line.split(' ');
    byProcess.set(pid, [...(byProcess.get(pid) ?? []), url]);
  }
  const workers = [...byProcess.values()].filter((urls) => urls.some((u) => u.endsWith('/worker/main.js')));
  t.ok(workers.length >= 2, `the step's and the assertions' workers were traced (${workers.length})`);
  // ducklake/errors.js is the lake's wording of a failure (node:fs and text only), loaded with engines/open.js
  const heavy = /@grpc|protobufjs|apache-arrow|\/engines\/spark\/|\/engines\/ducklake\/(?!errors\.js$)/;
  for (const urls of workers)
    t.same(
      urls.filter((u) => heavy.test(u)),
      [],
      'nothing of the lake or Spark',
    );
  t.ok(
    workers.every((urls) => urls.some((u) => u.includes('/engines/duckdb/database.js'))),
    'each opened DuckDB',
  );
  const driver = [...byProcess.values()].find((urls) => urls.some((u) => u.endsWith('/cli/main.js')))!;
  t.ok(driver, 'the driver was traced');
  t.same(
    driver.filter((u) => /\/node_modules\/(pg|pg-copy-streams|yaml)\/|\/engines\/(spark|ducklake)\//.test(u)),
    [],
    'the driver loads neither pg, yaml nor the lake or Spark engine',
  );
});
