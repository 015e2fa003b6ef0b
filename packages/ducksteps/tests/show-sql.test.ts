// Looking at the data (issue 30, item 5): `show SCHEMA.TABLE` and `sql "SELECT …"` through the real CLI, read-only,
// as a table, CSV or JSON (execa drops the output's last line end); while a run writes a DuckDB file they say so; a DuckLake is read at its last snapshot.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, printed, project, query } from './helpers.js';
import { LAKE_ENV, newLake } from './lake-server.js';

const ORDERS =
  "CREATE SCHEMA IF NOT EXISTS core;\nCREATE OR REPLACE TABLE core.orders AS SELECT * FROM (VALUES (1, 'alice', 12.50), (2, 'bob', 7.00), (3, 'alice', 3.25)) t(order_id, customer, amount);";
const SHOP = { sql: { '01_orders': { 'a.sql': ORDERS } } };
// a step that runs until it is stopped: a run that holds the warehouse
const SLOW = {
  '02_slow': { 'a.sql': 'CREATE OR REPLACE TABLE slow AS SELECT count(*) AS n FROM range(100000000000);' },
};

t.test(
  'show prints the first rows of a table and how many there are; --limit, --where, --columns; --csv, --json',
  async (t) => {
    const dir = project(t, undefined, SHOP);
    t.equal((await cli(dir)).exitCode, 0);
    const all = await cli(dir, ['show', 'core.orders']);
    t.equal(all.exitCode, 0, all.stderr);
    t.match(all.stdout, /│ order_id │ customer │ amount │\n│ 1 +│ alice +│ 12\.50 +│\n│ 2 +│ bob/);
    t.match(all.stdout, /\n\(3 rows\)$/);
    const some = await cli(dir, [
      'show',
      'core.orders',
      '--where',
      "customer = 'alice'",
      '--where',
      'amount > 5',
      '--columns',
      'order_id,amount',
    ]);
    t.match(some.stdout, /│ order_id │ amount │\n│ 1 +│ 12\.50 +│\n└/);
    t.notMatch(some.stdout, /customer/, 'only the columns asked for');
    t.match(some.stdout, /\(1 row\)/);
    t.match((await cli(dir, ['show', 'core.orders', '--limit', '1'])).stdout, /\(1 of 3 rows; --limit N shows more\)/);
    t.equal(
      (await cli(dir, ['show', 'core.orders', '--csv'])).stdout,
      'order_id,customer,amount\r\n1,alice,12.50\r\n2,bob,7.00\r\n3,alice,3.25',
    );
    t.same(JSON.parse((await cli(dir, ['show', 'core.orders', '--json', '--limit', '1'])).stdout), [
      { order_id: 1, customer: 'alice', amount: '12.50' },
    ]);
  },
);

t.test('sql runs queries read-only: a table of each result, -f FILE, --csv and --json of the last one', async (t) => {
  const dir = project(t, undefined, SHOP);
  t.equal((await cli(dir)).exitCode, 0);
  const one = await cli(dir, ['sql', 'SELECT customer, sum(amount) AS total FROM core.orders GROUP BY 1 ORDER BY 1']);
  t.equal(one.exitCode, 0, one.stderr);
  t.match(one.stdout, /│ customer │ total │\n│ alice +│ 15\.75 +│\n│ bob +│ 7\.00 +│/);
  writeFileSync(
    join(dir, 'q.sql'),
    "SELECT count(*) AS n FROM core.orders;\nSELECT max(amount) AS top FROM core.orders WHERE customer = 'bob';\n",
  );
  const file = await cli(dir, ['sql', '-f', 'q.sql']);
  t.match(file.stdout, /│ n +│\n│ 3 +│[\s\S]*│ top +│\n│ 7\.00 │/, 'each statement of the file, in order');
  t.equal((await cli(dir, ['sql', '-f', 'q.sql', '--csv'])).stdout, 'top\r\n7.00');
  t.same(JSON.parse((await cli(dir, ['sql', 'SELECT order_id FROM core.orders ORDER BY 1', '--json'])).stdout), [
    { order_id: 1 },
    { order_id: 2 },
    { order_id: 3 },
  ]);
  const write = await cli(dir, ['sql', 'DELETE FROM core.orders']);
  t.equal(write.exitCode, 1);
  t.match(
    write.stderr,
    /ducksteps: sql: .*read-only mode!\n\s+sql only reads; tables change in a step \(\.\/run\.sh new NAME\)/,
  );
  t.same(
    await query(join(dir, 'data/warehouse.duckdb'), 'SELECT count(*) AS n FROM core.orders'),
    [{ n: 3 }],
    'nothing deleted',
  );
});

t.test(
  'show and sql say why they cannot read: an unknown table, no warehouse yet (exit 1), a bad argument (exit 2)',
  async (t) => {
    const dir = project(t, undefined, SHOP);
    const none = await cli(dir, ['show', 'core.orders']);
    t.equal(none.exitCode, 1);
    t.match(
      none.stderr,
      /ducksteps: show: the warehouse .*data\/warehouse\.duckdb does not exist yet\n\s+a run creates it: \.\/run\.sh/,
    );
    t.equal((await cli(dir)).exitCode, 0);
    const unknown = await cli(dir, ['show', 'core.order']);
    t.equal(unknown.exitCode, 1);
    t.match(
      unknown.stderr,
      /ducksteps: show: Catalog Error: Table with name order does not exist!.*\n\s+check the table and column names/,
    );
    t.notMatch(unknown.stderr, /\n\s+at /, 'no stack trace');
    for (const [args, message] of [
      [['show'], /show needs a table/],
      [['sql'], /sql needs a query/],
      [['sql', 'SELECT 1', '-f', 'q.sql'], /sql takes a query or -f FILE, not both/],
      [['show', 'core.orders', '--csv', '--json'], /--csv and --json cannot go together/],
      [['show', 'core.orders', '--limit', 'many'], /--limit must be a whole number >= 0, got "many"/],
      [
        ['sql', 'SELECT 1; DROP TABLE core.orders', '--engine', 'spark'],
        /sql only reads, and on Spark it sends queries only: "DROP TABLE core\.orders" is a DROP_TABLE\n\s+SELECT, WITH, SHOW, DESCRIBE or EXPLAIN/,
      ],
    ] as const) {
      const run = await cli(dir, [...args], { DUCKSTEPS_SPARK_URL: 'sc://127.0.0.1:1' }); // refused before connecting
      t.equal(run.exitCode, 2, args.join(' '));
      t.match(run.stderr, message, args.join(' '));
    }
  },
);

t.test('while a run writes a DuckDB file, show and sql say so and how long it has been running, at once', async (t) => {
  const dir = project(t, undefined, { sql: { ...SHOP.sql, ...SLOW } });
  const run = cli(dir, ['--verbose']); // --verbose: a line as each step starts, to act on
  await printed(run, '02_slow started');
  for (const args of [
    ['show', 'core.orders'],
    ['sql', 'SELECT 1'],
  ]) {
    const refused = await cli(dir, args);
    t.equal(refused.exitCode, 2, args[0]);
    t.match(
      refused.stderr,
      new RegExp(
        `warehouse\\.duckdb is being written by a ducksteps run \\(PID ${run.pid}, running for \\d+ s, run \\S+\\)\\n\\s+${args[0]} reads it when that run has finished`,
      ),
      args[0],
    );
  }
  run.kill('SIGINT');
  t.equal((await run).exitCode, 130);
  t.equal((await cli(dir, ['show', 'core.orders'])).exitCode, 0, 'and reads it once the run has ended');
});

t.test('a DuckLake with its catalog in PostgreSQL is read at its last snapshot while a run writes it', async (t) => {
  const dir = project(t, undefined, { sql: { ...SHOP.sql, ...SLOW } });
  const lake = await newLake(t, dir);
  const on = ['--db', lake.db, '--data-path', lake.dataPath];
  t.equal((await cli(dir, [...on, '--only', '01_orders'], LAKE_ENV)).exitCode, 0);
  const run = cli(dir, [...on, '--verbose'], LAKE_ENV); // --verbose: a line as each step starts, to act on
  await printed(run, '02_slow started');
  const shown = await cli(dir, ['show', 'core.orders', ...on, '--csv'], LAKE_ENV);
  t.equal(shown.exitCode, 0, shown.stderr);
  t.equal(shown.stdout, 'order_id,customer,amount\r\n1,alice,12.50\r\n2,bob,7.00\r\n3,alice,3.25');
  const counted = await cli(dir, ['sql', 'SELECT count(*) AS n FROM core.orders', ...on, '--json'], LAKE_ENV);
  t.same(JSON.parse(counted.stdout), [{ n: 3 }]);
  run.kill('SIGINT');
  await run;
});
