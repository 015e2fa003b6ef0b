// Schema changes on the example's incremental steps (docs/schema-changes.md): a column added to 04_enrich and
// the next day run under each on_schema_change (fail, append_new_columns, sync_all_columns), and a failed cast.
import t from 'tap';
import { join } from 'node:path';
import { cli, query, readCsv } from './helpers.js';
import { openDatabase } from '../lib/engines/duckdb/database.js';
import {
  columnsOf,
  committed,
  DB,
  days,
  differences,
  edit,
  ENRICH,
  none,
  policy,
  schemaExample,
  withDiscount,
} from './schema-example.js';

const { base, reference, copy } = schemaExample(t, { reference: true });

t.test(
  'fail (the default): a new column stops the step at its CREATE TABLE, says what to do, changes nothing',
  async (t) => {
    const dir = copy('fail');
    edit(dir, ENRICH, withDiscount);
    const before = await columnsOf(dir, 'core.orders_enriched');
    const run = await cli(dir, days(3));
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      'error: core.orders_enriched differs from its CREATE TABLE: added discount DECIMAL(14,2) (on_schema_change = fail: nothing was changed)\n  at sql/04_enrich/01_orders_enriched.sql:3',
    );
    t.match(
      run.stdout,
      'put "-- ducksteps: on_schema_change = append_new_columns" in sql/04_enrich/01_orders_enriched.sql',
    );
    t.match(run.stdout, './run.sh --full-refresh --select 04_enrich+');
    t.notMatch(run.stdout, /values were supplied/);
    t.same(await columnsOf(dir, 'core.orders_enriched'), before, 'the table keeps its columns');
    t.notOk(
      (await committed(dir)).some((c) => c.startsWith('04_enrich 3 ')),
      '04_enrich did not commit batch 3',
    );
  },
);

t.test(
  'append_new_columns adds the column in the step: old rows NULL, new rows filled, versions recorded',
  async (t) => {
    const dir = copy('append');
    edit(dir, ENRICH, (sql) => policy('append_new_columns')(withDiscount(sql)));
    const run = await cli(dir, days(3));
    t.equal(run.exitCode, 0, run.exitCode === 0 ? 'exit 0' : run.stdout);
    t.match(run.stdout, '· core.orders_enriched: added discount DECIMAL(14,2) (schema version 2)');
    const filled = await query(
      join(dir, DB),
      'SELECT batch_id, count(*) AS n, count(discount) AS filled FROM core.orders_enriched GROUP BY batch_id ORDER BY batch_id',
    );
    t.same(
      filled.map((r) => [
        r.batch_id,
        Number(r.filled) === 0 ? 'NULL' : Number(r.filled) === Number(r.n) ? 'filled' : 'mixed',
      ]),
      [
        [1, 'NULL'],
        [2, 'NULL'],
        [3, 'filled'],
      ],
    );
    const versions = await query(
      join(dir, DB),
      "SELECT version, change, step, batch_id FROM ducksteps.table_schemas WHERE table_name = 'core.orders_enriched' ORDER BY version",
    );
    t.same(versions, [
      { version: 1, change: 'created', step: '04_enrich', batch_id: 1 },
      { version: 2, change: 'added discount DECIMAL(14,2)', step: '04_enrich', batch_id: 3 },
    ]);
    const log = await readCsv(join(dir, 'logs/schema_changes.csv'));
    t.match(log.at(-1), { step: '04_enrich', batch_id: '3', table: 'core.orders_enriched', version: '2' });
    const logs = await cli(dir, ['logs']);
    t.match(logs.stdout, /schema changes[\s\S]*core\.orders_enriched[\s\S]*added discount DECIMAL\(14,2\)/);

    // day by day == one full refresh, for the columns they share; and the new column for the new day
    t.same(await differences(join(dir, DB), join(reference, DB), ['discount']), none, 'every shared column equal');
    const db = await openDatabase(join(dir, DB), { readOnly: true });
    try {
      await db.run(`ATTACH '${join(reference, DB)}' AS ref (READ_ONLY)`);
      const differ = await db.query(
        `SELECT count(*) AS n, count(e.discount) AS filled FROM core.orders_enriched AS e
       JOIN ref.core.orders_enriched AS r USING (order_id) WHERE e.batch_id = 3 AND e.discount IS NOT DISTINCT FROM r.discount`,
      );
      const day = await db.query('SELECT count(*) AS n FROM core.orders_enriched WHERE batch_id = 3');
      t.equal(Number(differ.rows[0].n), Number(day.rows[0].n), "the new day's discount is a full refresh's");
      t.ok(Number(differ.rows[0].filled) > 0, 'and it is filled');
    } finally {
      db.close();
    }
  },
);

t.test('sync_all_columns drops and retypes columns in the step, keeping the rows', async (t) => {
  const dir = copy('sync');
  edit(dir, ENRICH, (sql) =>
    policy('sync_all_columns')(sql)
      .replace('revenue DECIMAL(14, 2), price_delta DECIMAL(14, 2)\n', 'revenue DECIMAL(14, 2)\n')
      .replace('quantity INTEGER,', 'quantity BIGINT,')
      .replace(
        'CAST(o.quantity * o.unit_price AS DECIMAL(14, 2)),\n',
        'CAST(o.quantity * o.unit_price AS DECIMAL(14, 2))\n',
      )
      .replace('    CAST(o.quantity * (o.unit_price - p.list_price) AS DECIMAL(14, 2))\n', ''),
  );
  const rows = await query(join(base, DB), 'SELECT count(*) AS n, sum(quantity) AS q FROM core.orders_enriched');
  const run = await cli(dir, days(3));
  t.equal(run.exitCode, 0, run.exitCode === 0 ? 'exit 0' : run.stdout);
  t.match(run.stdout, 'core.orders_enriched: removed price_delta DECIMAL(14,2); retyped quantity INTEGER → BIGINT');
  const columns = await columnsOf(dir, 'core.orders_enriched');
  t.notOk(
    columns.some((c) => c.startsWith('price_delta')),
    'price_delta dropped',
  );
  t.ok(columns.includes('quantity BIGINT'), 'quantity retyped');
  const old = await query(
    join(dir, DB),
    'SELECT count(*) AS n, sum(quantity) AS q FROM core.orders_enriched WHERE batch_id < 3',
  );
  t.same(
    old.map((r) => [Number(r.n), Number(r.q)]),
    rows.map((r) => [Number(r.n), Number(r.q)]),
    'old rows kept',
  );
});

t.test(
  'a retype a value does not survive fails the step, naming the column and the value; nothing changes',
  async (t) => {
    const dir = copy('cast');
    edit(dir, ENRICH, (sql) => policy('sync_all_columns')(sql).replace('channel VARCHAR,', 'channel INTEGER,'));
    const before = await columnsOf(dir, 'core.orders_enriched');
    const run = await cli(dir, days(3));
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      /cannot retype core\.orders_enriched\.channel from VARCHAR to INTEGER: the value '(web|app|store)' does not convert \(the step was rolled back: the table keeps its columns\)\n {2}at sql\/04_enrich\/01_orders_enriched\.sql:4/,
    );
    t.same(await columnsOf(dir, 'core.orders_enriched'), before);
    const versions = await query(
      join(dir, DB),
      "SELECT max(version) AS v FROM ducksteps.table_schemas WHERE table_name = 'core.orders_enriched'",
    );
    t.equal(versions[0].v, 1, 'no new schema version');
  },
);
