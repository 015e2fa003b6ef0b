// Slow (5 min on 2 busy cores): real Spark statements, a Connect server killed and restarted, back-off waits.
// The Spark Connect client against a real Spark cluster started here (Master, two Workers, the Connect server
// with a Hive catalog), and its connection-string handling at unit level. One cluster for the whole file.
import t, { type Test } from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseConnectUrl,
  redactUrl,
  type RetryEvent,
  rowsOf,
  SparkCancelledError,
  SparkConnect,
  SparkConnectionError,
  SparkSqlError,
} from '../lib/engines/spark/connect/index.js';
import { freePort } from './spark-processes.js';
import { sparkSkipReason } from './spark-cluster.js';
import { sparkClusterFor } from './spark-shared.js';
import { tcpProxy } from './tcp-proxy.js';

t.setTimeout(600_000);
const skip = sparkSkipReason() ?? false;

t.test(
  'connection strings: defaults, parameters, a token implies TLS, unknown parameters become headers',
  async (t) => {
    t.match(parseConnectUrl('sc://spark.example.com'), {
      host: 'spark.example.com',
      port: 15002,
      useSsl: false,
      headers: {},
    });
    const url = parseConnectUrl(
      'sc://h:443/;token=s3cr3t;user_id=ana;session_id=550e8400-e29b-41d4-a716-446655440000;x-databricks-cluster-id=0123',
    );
    t.match(url, {
      host: 'h',
      port: 443,
      token: 's3cr3t',
      useSsl: true,
      userId: 'ana',
      sessionId: '550e8400-e29b-41d4-a716-446655440000',
    });
    t.same(url.headers, { 'x-databricks-cluster-id': '0123' });
    t.equal(parseConnectUrl('sc://h:1/;use_ssl=true').useSsl, true);
    t.equal(parseConnectUrl('sc://[::1]:15002').host, '::1');
  },
);

t.test('a bad connection string is refused with a message that never shows the token', async (t) => {
  for (const bad of [
    'http://h:1/;token=s3cr3t',
    'sc://h:99999/;token=s3cr3t',
    'sc://h:1/path;token=s3cr3t',
    'sc://h:1/;token=s3cr3t;session_id=nope',
  ]) {
    t.throws(() => parseConnectUrl(bad), { name: 'ConnectUrlError' }, bad);
    try {
      parseConnectUrl(bad);
    } catch (error) {
      t.notMatch((error as Error).message, /s3cr3t/, bad);
    }
  }
});

t.test('redactUrl hides tokens and secrets, keeps the rest for logs', async (t) => {
  t.equal(redactUrl('sc://h:443/;token=s3cr3t;user_id=ana'), 'sc://h:443/;token=***;user_id=ana');
  t.equal(
    redactUrl('sc://h/;user_id=ana;x-api-token=abc;password=pw'),
    'sc://h/;user_id=ana;x-api-token=***;password=***',
  );
  t.equal(redactUrl('sc://127.0.0.1:15002'), 'sc://127.0.0.1:15002');
  t.equal(redactUrl('sc://h/token=abc'), 'sc://h/token=***', 'even where the URL is malformed');
});

t.test('no server on the port: connect fails at once with a connection error naming host:port', async (t) => {
  const port = await freePort();
  const error = await SparkConnect.connect(`sc://127.0.0.1:${port}/;user_id=x`).catch((e: unknown) => e);
  t.type(error, SparkConnectionError);
  t.match((error as Error).message, `cannot reach Spark Connect at 127.0.0.1:${port}`);
});

t.test('against a real Spark cluster', { skip }, async (t) => {
  const { url, cluster } = await sparkClusterFor(t, { faults: true });
  const session = await SparkConnect.connect(url, { userAgent: 'ducksteps-tests' });
  const table = `t_${process.pid}`;
  t.teardown(async () => {
    await session.sql(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await session.close();
  });

  t.test('a SELECT of the common types decodes to plain JS values, with Spark type names', async (t) => {
    const result =
      await session.sql(`SELECT 1 AS i, 9007199254740993L AS big, 2L AS b, 1.5D AS d, CAST(-12.345 AS DECIMAL(10,3)) AS dec,
      'é' AS s, DATE'2024-02-29' AS dt, TIMESTAMP'2024-01-02 03:04:05.123456' AS ts, true AS bo, NULL AS n, array(1, 2) AS arr,
      named_struct('a', 1, 'b', 'x') AS st`);
    t.equal(result.kind, 'query');
    t.same(
      result.columns.map((c) => `${c.name} ${c.type}`),
      [
        'i int',
        'big bigint',
        'b bigint',
        'd double',
        'dec decimal(10,3)',
        's string',
        'dt date',
        'ts timestamp',
        'bo boolean',
        'n void',
        'arr array<int>',
        'st struct<a:int,b:string>',
      ],
    );
    t.same(result.rows, [
      {
        i: 1,
        big: '9007199254740993',
        b: 2,
        d: 1.5,
        dec: '-12.345',
        s: 'é',
        dt: '2024-02-29',
        ts: '2024-01-02T03:04:05.123456Z',
        bo: true,
        n: null,
        arr: [1, 2],
        st: { a: 1, b: 'x' },
      },
    ]);
    t.equal(result.rowCount, 1);
  });

  t.test('CREATE TABLE … USING parquet AS SELECT and INSERT run eagerly; the rows read back', async (t) => {
    const created = await session.sql(
      `CREATE TABLE ${table} USING parquet AS SELECT id, CAST(id * 2 AS INT) AS x FROM range(10)`,
    );
    t.match(created, { kind: 'command', rowCount: 0 });
    await session.sql(`INSERT INTO ${table} VALUES (100, 200), (101, 202)`);
    const back = await session.sql(`SELECT count(*) AS n, sum(x) AS total FROM ${table}`);
    t.same(back.rows, [{ n: 12, total: 90 + 402 }]);
    const shown = await session.sql(`SHOW TABLES LIKE '${table}'`);
    t.match(shown.rows, [{ tableName: table, isTemporary: false }]);
    t.ok(existsSync(join(cluster.warehouse, table)), 'a managed table lives in the warehouse folder');
  });

  t.test('limit stops Spark early; stream() yields Arrow batches one at a time', async (t) => {
    const limited = await session.sql('SELECT id FROM range(0, 100000000000, 1, 2)', { limit: 3 });
    t.same(limited.rows, [{ id: 0 }, { id: 1 }, { id: 2 }]);
    let rows = 0;
    let batches = 0;
    for await (const part of session.stream("SELECT id, repeat('x', 50) AS pad FROM range(0, 300000, 1, 3)")) {
      t.same(part.columns, [
        { name: 'id', type: 'bigint' },
        { name: 'pad', type: 'string' },
      ]);
      rows += part.batch.numRows;
      batches++;
    }
    t.equal(rows, 300000);
    t.ok(batches > 1, `${batches} batches`);
    for await (const part of session.stream('SELECT id FROM range(0, 20000000, 1, 20)')) {
      t.ok(part.batch.numRows > 0);
      break;
    }
    t.same(
      (await session.sql('SELECT 2 AS two')).rows,
      [{ two: 2 }],
      'the session works after a consumer stopped early',
    );
  });

  t.test('a syntax error gives the error class, SQLSTATE, and the line:column in the statement', async (t) => {
    const error = (await session.sql('SELECT 1,\n  2 FORM t').catch((e: unknown) => e)) as SparkSqlError;
    t.type(error, SparkSqlError);
    t.match(error, { errorClass: 'PARSE_SYNTAX_ERROR', sqlState: '42601', line: 2, column: 10 });
    t.match(error.message, /^\[PARSE_SYNTAX_ERROR\] Syntax error at or near 't'/);
    t.notMatch(error.message, /== SQL ==/, 'the excerpt stays in sparkMessage');
  });

  t.test('an unknown table gives TABLE_OR_VIEW_NOT_FOUND at its line:column, with the fragment', async (t) => {
    const error = (await session.sql('SELECT *\nFROM   no_such_table').catch((e: unknown) => e)) as SparkSqlError;
    t.type(error, SparkSqlError);
    t.match(error, {
      errorClass: 'TABLE_OR_VIEW_NOT_FOUND',
      sqlState: '42P01',
      line: 2,
      column: 8,
      fragment: 'no_such_table',
    });
    t.match(error.message, /^\[TABLE_OR_VIEW_NOT_FOUND\] The table or view `no_such_table` cannot be found/);
    t.notMatch(error.message, /UnresolvedRelation/, 'the analysed plan stays in sparkMessage');
  });

  t.test('a long query stops on AbortSignal, on timeout and on interrupt(); the session goes on', async (t) => {
    const long = 'SELECT sum(id) FROM range(0, 100000000000, 1, 2)';
    const aborted = await session.sql(long, { signal: AbortSignal.timeout(1500) }).catch((e: unknown) => e);
    t.match(aborted, { name: 'SparkCancelledError', reason: 'aborted' });
    const timedOut = await session.sql(long, { timeoutMs: 1500 }).catch((e: unknown) => e);
    t.match(timedOut, { name: 'SparkCancelledError', reason: 'timeout' });
    const running = session.sql(long).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    t.ok((await session.interrupt()).length >= 1, 'interrupt() stopped an operation');
    const interrupted = await running;
    t.type(interrupted, SparkCancelledError);
    t.match(interrupted, { reason: 'interrupted' });
    t.same((await session.sql('SELECT 1 AS one')).rows, [{ one: 1 }]);
  });

  // a query that takes a while on the cluster: each row sleeps `ms` in its own partition (Java's Thread.sleep
  // through Spark's reflect()), so its result arrives batch by batch
  const slow = (rows: number, ms: number) =>
    `SELECT id, reflect('java.lang.Thread', 'sleep', CAST(${ms} AS BIGINT)) AS slept FROM range(0, ${rows}, 1, ${rows})`;
  const throughProxy = async (t: Test) => {
    const proxy = await tcpProxy(Number(url.split(':').pop()));
    const retries: RetryEvent[] = [];
    const via = await SparkConnect.connect(`sc://127.0.0.1:${proxy.port}`, {
      userAgent: 'ducksteps-tests',
      onRetry: (event) => retries.push(event),
    });
    t.teardown(async () => {
      await via.close();
      await proxy.close();
    });
    return { proxy, retries, via };
  };

  t.test(
    'a stream cut mid-result (a proxy drops the connection): the client reattaches after the last response it got; every row arrives once',
    async (t) => {
      const { proxy, retries, via } = await throughProxy(t);
      const ids: unknown[] = [];
      for await (const part of via.stream(slow(8, 300))) {
        ids.push(...rowsOf(part.batch).map((r) => r.id));
        if (ids.length === 1) proxy.cut(); // after the first batch, while the other partitions still run
      }
      t.same(ids, [0, 1, 2, 3, 4, 5, 6, 7]);
      t.ok(proxy.connections >= 2, `the client connected again (${proxy.connections} connections)`);
      t.match(retries, [{ call: 'reattach', lastResponseId: /^[0-9a-f-]{36}$/ }], 'it reattached after a response');
    },
  );

  t.test(
    'a connection cut while a command runs: the client reattaches to the same operation, which runs once',
    async (t) => {
      const { proxy, retries, via } = await throughProxy(t);
      const once = `once_${process.pid}`;
      t.teardown(() => session.sql(`DROP TABLE IF EXISTS ${once}`).then(() => undefined));
      const running = via.sql(`CREATE TABLE ${once} USING parquet AS ${slow(6, 500)}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      proxy.cut();
      t.match(await running, { kind: 'command' }, 'the command finished (a second ExecutePlan would find the table)');
      t.same((await session.sql(`SELECT count(*) AS n FROM ${once}`)).rows, [{ n: 6 }]);
      t.match(retries, [{ call: 'reattach' }]);
    },
  );

  t.test('a call while the server cannot be reached is tried again with back-off, and succeeds', async (t) => {
    const { proxy, retries, via } = await throughProxy(t);
    await proxy.pause();
    const asked = via.sql('SELECT 42 AS answer');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await proxy.listen();
    t.same((await asked).rows, [{ answer: 42 }]);
    t.ok(
      retries.length >= 1,
      `${retries.length} retries: ${retries.map((r) => `${r.call} after ${r.waitMs} ms`).join(', ')}`,
    );
  });

  t.test('a killed executor or worker: Spark reruns the lost tasks and the query succeeds', async (t) => {
    t.ok(await cluster.killExecutor(), 'an executor JVM was killed');
    t.same((await session.sql(`SELECT count(*) AS n FROM ${table}`)).rows, [{ n: 12 }]);
    await cluster.killWorker(1);
    t.same((await session.sql(`SELECT count(*) AS n FROM ${table}`)).rows, [{ n: 12 }], 'with one worker left');
  });

  t.test(
    'a killed Connect server is a connection error, not a hang; restarted, the Hive catalog still has the table',
    async (t) => {
      const c = cluster;
      const started = Date.now();
      const lap = (what: string) => t.comment(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // two quick retries instead of the default's 30 s: the server stays down until the test restarts it
      const retried: RetryEvent[] = [];
      const brief = await SparkConnect.connect(url, { retry: { maxRetries: 2 }, onRetry: (e) => retried.push(e) });
      t.teardown(() => brief.close());
      await brief.sql(`CREATE OR REPLACE VIEW v_${table} AS SELECT id FROM ${table} WHERE id < 3`);
      const running = brief.sql('SELECT sum(id) FROM range(0, 100000000000, 1, 2)').catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await c.killConnectServer();
      const during = await running;
      lap('the running query failed');
      t.type(
        during,
        SparkConnectionError,
        'the running query fails with a connection error once the retries are spent',
      );
      t.match((during as Error).message, `cannot reach Spark Connect at ${url.slice('sc://'.length)}`);
      const spent = retried.length;
      t.type(await brief.sql('SELECT 1').catch((e: unknown) => e), SparkConnectionError, 'a new statement too');
      t.equal(retried.length, spent, 'tried once: the retries were spent, the server is taken as gone');
      lap('a new statement failed');
      await c.restartConnectServer();
      lap('restarted');
      const again = await SparkConnect.connect(url);
      t.teardown(() => again.close());
      t.same((await again.sql(`SELECT count(*) AS n FROM ${table}`)).rows, [{ n: 12 }]);
      lap('first query after the restart');
      t.same((await again.sql(`SELECT id FROM v_${table} ORDER BY id`)).rows, [{ id: 0 }, { id: 1 }, { id: 2 }]);
      t.same(
        (await session.sql('SELECT 3 AS three')).rows,
        [{ three: 3 }],
        'the old session object reconnects by itself',
      );
      await again.sql(`DROP VIEW v_${table}`);
      await again.sql(`DROP TABLE ${table}`);
      t.notOk(readdirSync(c.warehouse).includes(table), "DROP TABLE removed the managed table's files");
    },
  );
});
