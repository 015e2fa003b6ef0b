// OpenLineage events (issue 36): a run's events, a failed run's and a killed run's next run's, valid against the
// spec's own schema and read back by the official Java client; the HTTP transport, and an endpoint that fails.
import t from 'tap';
import { execa } from 'execa';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, printed, project } from './helpers.js';
import { eventErrors, eventsIn, readBack } from './openlineage.js';
import { tableDataset, targetDataset } from '../lib/observe/openlineage/naming.js';

const FILE = { name: 'shop', ducksteps: { openlineage: { file: 'logs/openlineage.jsonl' } } };
const events = (dir: string) => eventsIn(join(dir, 'logs/openlineage.jsonl'));
const summary = (e: Record<string, any>) => `${e.eventType} ${e.job.name}`; // eslint-disable-line @typescript-eslint/no-explicit-any

t.test('a run sends START and COMPLETE for itself and each step, valid and read back by the Java client', async (t) => {
  const dir = project(t, 'ok', { 'package.json': JSON.stringify(FILE) });
  t.equal((await cli(dir)).exitCode, 0);
  const sent = events(dir);
  t.same(sent.map(summary), [
    'START shop',
    'START shop.01_load',
    'COMPLETE shop.01_load',
    'START shop.02_summarise',
    'COMPLETE shop.02_summarise',
    'COMPLETE shop',
  ]);
  for (const e of sent) t.same(eventErrors(e), [], `${summary(e)} is valid`);
  const read = await readBack(join(dir, 'logs/openlineage.jsonl'));
  t.equal(read.length, sent.length, 'the client reads every event');
  const [run, , load, , summarise, done] = read;
  t.equal(load.parentRunId, run.runId, 'a step run points at the build run');
  t.equal(done.runId, run.runId);
  const db = join(dir, 'data/warehouse.duckdb');
  t.match(load.outputs, [{ namespace: `duckdb://${db}`, name: 'warehouse.main.numbers', rowCount: 11 }]);
  t.match(summarise.inputs, [{ namespace: `duckdb://${db}`, name: 'warehouse.main.numbers' }]);
  t.same(done.inputs[0].assertions, ['totals_positive=true'], 'the assertion that checked totals');
});

t.test(
  "a failed run's events: the step FAILs with its error, the run FAILs, the steps after it send nothing",
  async (t) => {
    const dir = project(t, undefined, {
      'package.json': JSON.stringify(FILE),
      sql: {
        '01_load': { '01_numbers.sql': 'CREATE TABLE numbers AS SELECT * FROM no_such_table;' },
        '02_more': { '01.sql': 'CREATE TABLE more AS SELECT 1 AS x;' },
      },
    });
    t.equal((await cli(dir)).exitCode, 1);
    const sent = events(dir);
    t.same(sent.map(summary), ['START shop', 'START shop.01_load', 'FAIL shop.01_load', 'FAIL shop']);
    for (const e of sent) t.same(eventErrors(e), [], `${summary(e)} is valid`);
    const read = await readBack(join(dir, 'logs/openlineage.jsonl'));
    t.match(read[2].error, /no_such_table/);
  },
);

t.test("a killed run's open runs get their ABORT from the next run", async (t) => {
  const dir = project(t, undefined, {
    'package.json': JSON.stringify(FILE),
    sql: {
      '01_a': { 'a.sql': 'CREATE OR REPLACE TABLE a AS SELECT 1 AS x;' },
      '02_slow': { 'a.sql': 'CREATE OR REPLACE TABLE slow AS SELECT count(*) AS n FROM range(100000000000) AS r;' },
    },
  });
  const first = cli(dir, ['--verbose']); // --verbose: the start line it waits for
  await printed(first, '02_slow started');
  const workers = (await execa('pgrep', ['-P', String(first.pid)], { reject: false })).stdout
    .split('\n')
    .filter(Boolean);
  for (const pid of [String(first.pid), ...workers]) process.kill(Number(pid), 'SIGKILL');
  await first;
  t.same(events(dir).map(summary), ['START shop', 'START shop.01_a', 'COMPLETE shop.01_a', 'START shop.02_slow']);
  const next = await cli(dir, ['--from', '01_a', '--to', '01_a']);
  t.equal(next.exitCode, 0, next.stdout);
  const sent = events(dir);
  t.same(sent.slice(4, 6).map(summary), ['ABORT shop.02_slow', 'ABORT shop'], 'the killed run ends');
  for (const e of sent) t.same(eventErrors(e), [], `${summary(e)} is valid`);
  const read = await readBack(join(dir, 'logs/openlineage.jsonl'));
  t.equal(read[4].runId, read[3].runId, 'the same run the killed one started');
  t.equal(read[5].runId, read[0].runId);
  t.match(read[4].error, /never finished/);
  t.same(sent.slice(6).map(summary).slice(0, 1), ['START shop'], 'then its own run');
  t.notOk(existsSync(join(dir, 'logs/openlineage-open', 'x')), 'no open run left over');
});

/** A local OpenLineage endpoint that records what it is sent and answers `status`. */
async function endpoint(status: number): Promise<{ server: Server; url: string; bodies: object[] }> {
  const bodies: object[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += String(c)));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/api/v1/lineage`, bodies };
}

t.test('DUCKSTEPS_OPENLINEAGE_URL: every event is POSTed, in order, before the run exits', async (t) => {
  const { server, url, bodies } = await endpoint(201);
  t.teardown(() => server.close());
  const dir = project(t, 'ok', { 'package.json': JSON.stringify({ name: 'shop' }) });
  const run = await cli(dir, [], { DUCKSTEPS_OPENLINEAGE_URL: url });
  t.equal(run.exitCode, 0);
  t.same(bodies.map(summary), [
    'START shop',
    'START shop.01_load',
    'COMPLETE shop.01_load',
    'START shop.02_summarise',
    'COMPLETE shop.02_summarise',
    'COMPLETE shop',
  ]);
  for (const e of bodies) t.same(eventErrors(e as Record<string, unknown>), []);
});

t.test('an endpoint that fails never fails the run: one warning, the events kept in a file', async (t) => {
  const { server, url, bodies } = await endpoint(500);
  t.teardown(() => server.close());
  const dir = project(t, 'ok', { 'package.json': JSON.stringify({ name: 'shop' }) });
  const run = await cli(dir, [], { DUCKSTEPS_OPENLINEAGE_URL: url });
  t.equal(run.exitCode, 0, run.stderr);
  t.match(
    run.stdout,
    `! OpenLineage endpoint ${url} failed (HTTP 500 Internal Server Error): this run's events are kept in logs/openlineage-unsent.jsonl`,
  );
  t.equal(bodies.length, 1, 'no second try during the run');
  t.equal(eventsIn(join(dir, 'logs/openlineage-unsent.jsonl')).length, 6, 'every event kept');
  const again = project(t, 'ok', { 'package.json': JSON.stringify({ name: 'shop' }) });
  const refused = await cli(again, [], { DUCKSTEPS_OPENLINEAGE_URL: 'http://127.0.0.1:9/lineage' });
  t.equal(refused.exitCode, 0);
  t.match(refused.stdout, '! OpenLineage endpoint http://127.0.0.1:9/lineage failed');
});

t.test('dataset names follow the naming conventions: DuckDB, DuckLake, Spark, PostgreSQL, files', async (t) => {
  t.same(tableDataset({ engine: 'duckdb', path: '/d/w.duckdb' }, 'core.orders'), {
    namespace: 'duckdb:///d/w.duckdb',
    name: 'w.core.orders',
  });
  t.same(tableDataset({ engine: 'duckdb', path: '/d/w.duckdb' }, 'orders').name, 'w.main.orders');
  const lake = {
    engine: 'ducklake',
    catalog: 'postgres:dbname=lake host=db port=5433',
    catalogKind: 'postgres',
    dataPath: '/l/',
  } as const;
  t.same(tableDataset(lake, 'mart.x'), { namespace: 'ducklake+postgres://db:5433/lake', name: 'mart.x' });
  const spark = {
    engine: 'spark',
    url: 'sc://cluster:15002',
    ledger: { engine: 'duckdb', path: '/l.duckdb' },
  } as const;
  t.same(tableDataset(spark, 'mart.x'), { namespace: 'spark://cluster:15002', name: 'mart.x' });
  const pg = {
    file: 'p.sql',
    kind: 'postgres',
    destination: 'ml.features',
    mode: 'replace',
    key: [],
    options: { 'url-env': 'PG' },
  } as const;
  t.same(targetDataset('/p', pg, { PG: 'postgres://u:secret@pg.example:5544/shop' }), {
    namespace: 'postgres://pg.example:5544',
    name: 'shop.ml.features',
  });
  t.equal(targetDataset('/p', pg, {}), undefined, 'no URL, no name');
  t.same(targetDataset('/p', { ...pg, kind: 'file', destination: 'out/x.csv' }), {
    namespace: 'file',
    name: '/p/out/x.csv',
  });
});

t.test('the schema check can fail: an event without a run id, a facet with a wrong field', async (t) => {
  const dir = project(t, 'ok', { 'package.json': JSON.stringify(FILE) });
  t.equal((await cli(dir)).exitCode, 0);
  const [start, load] = events(dir);
  t.not(eventErrors({ ...start, run: {} }).length, 0);
  t.not(eventErrors({ ...start, eventType: 'DONE' }).length, 0);
  const bad = structuredClone(load);
  bad.run.facets.parent.run.runId = 'not-a-uuid';
  t.not(eventErrors(bad).length, 0);
});

t.test('a bad "openlineage" setting or endpoint is a configuration error (exit 2)', async (t) => {
  const typo = project(t, 'ok', { 'package.json': JSON.stringify({ ducksteps: { openlineage: { fle: 'x.jsonl' } } }) });
  const run = await cli(typo);
  t.equal(run.exitCode, 2);
  t.match(run.stderr, 'ducksteps: package.json: "ducksteps"."openlineage" has an unknown key "fle"');
  const ftp = await cli(project(t, 'ok'), [], { DUCKSTEPS_OPENLINEAGE_URL: 'ftp://host/x' });
  t.equal(ftp.exitCode, 2);
  t.match(ftp.stderr, 'ducksteps: the OpenLineage endpoint must be an http(s) URL, got "ftp://host/x"');
});
