// Column lineage (issue 36): which upstream columns each column of a table comes from, from DuckDB's own parse
// tree (a worker's job, run here in-process on a real scratch DuckDB), through CTEs, joins, subqueries,
// temporary tables, `*` over known schemas, INSERT by position and UPDATE; what it cannot resolve it says.
import t from 'tap';
import { columnLineage } from '../lib/worker/column-lineage.js';
import { columnLineageOf } from '../lib/lineage/columns.js';
import { lineageOfProject } from '../lib/lineage/project.js';
import { discover } from '../lib/project/discover.js';
import { loadSettings } from '../lib/project/config.js';
import type { TableColumns } from '../lib/results.js';
import { exampleCopy } from './helpers.js';

/** table -> column -> "source:how" list, for short comparisons. */
const flat = (tables: readonly TableColumns[]) =>
  Object.fromEntries(
    tables.map((t) => [
      t.table,
      Object.fromEntries(t.columns.map((c) => [c.column, c.from.map((f) => `${f.source}:${f.how}`)])),
    ]),
  );
const run = (steps: Record<string, string[]>) =>
  columnLineage({ kind: 'columns', steps: Object.entries(steps).map(([step, statements]) => ({ step, statements })) });

t.test('columns resolve through CTEs, joins, subqueries and temporary tables to persistent tables', async (t) => {
  const tables = await run({
    '01_a': [
      'CREATE TABLE orders (id INTEGER, customer INTEGER, amount DECIMAL(10, 2))',
      'CREATE TABLE customers (id INTEGER, country VARCHAR)',
    ],
    '02_b': [
      'CREATE TEMP TABLE per AS WITH o AS (SELECT customer, amount FROM orders) SELECT customer, sum(amount) AS total FROM o GROUP BY customer',
      'CREATE TABLE report AS SELECT c.country, p.total, upper(c.country) AS cc, (SELECT max(amount) FROM orders) AS top FROM per AS p JOIN customers AS c ON c.id = p.customer',
    ],
  });
  const f = flat(tables);
  t.same(f.report, {
    country: ['customers.country:identity'],
    total: ['orders.amount:aggregation'],
    cc: ['customers.country:transformation'],
    top: ['orders.amount:aggregation'],
  });
  t.notOk(f.per, 'a temporary table is followed through, not listed');
  t.same(
    tables.find((x) => x.table === 'orders')?.columns.map((c) => c.type),
    ['INTEGER', 'INTEGER', 'DECIMAL(10,2)'],
  );
});

t.test(
  'INSERT maps by position (or by its column list), UPDATE adds what its SET reads, * expands known schemas',
  async (t) => {
    const f = flat(
      await run({
        '01_a': [
          'CREATE TABLE src (a INTEGER, b INTEGER)',
          'CREATE TABLE dst (x INTEGER, y INTEGER, z INTEGER)',
          'INSERT INTO dst SELECT a, a + b, NULL FROM src',
          'INSERT INTO dst (z, x) SELECT b, a FROM src',
          'UPDATE dst SET z = (SELECT max(y) FROM dst) - x',
          'CREATE TABLE copy AS SELECT * EXCLUDE (b) FROM src',
        ],
      }),
    );
    t.same(f.dst, {
      x: ['src.a:identity'],
      y: ['src.a:transformation', 'src.b:transformation'],
      z: ['src.b:identity', 'dst.y:aggregation', 'dst.x:transformation'],
    });
    t.same(f.copy, { a: ['src.a:identity'] });
  },
);

t.test(
  'what cannot be resolved is said: * over a file whose columns are unknown, an unnamed column, ambiguity',
  async (t) => {
    const tables = await run({
      '01_a': [
        "CREATE TABLE raw AS SELECT row_number() OVER () AS n, * FROM read_csv('data/in/*.csv')",
        'CREATE TABLE typed AS SELECT CAST(id AS INTEGER) AS id FROM raw',
        'CREATE TABLE unnamed AS SELECT id + 1 FROM typed',
        'CREATE TABLE both_ AS SELECT v FROM t1, t2',
      ],
    });
    const by = new Map(tables.map((x) => [x.table, x]));
    t.same(by.get('raw')?.unresolved, ["01_a: * over read_csv('data/in/*.csv'): its columns are not known offline"]);
    t.same(flat(tables).typed, { id: ['raw.id:transformation'] }, 'a column the * brought in still resolves by name');
    t.match(by.get('unnamed')?.unresolved, ['01_a: column 1 of its query has no name of its own (give it an alias)']);
    t.match(by.get('both_')?.unresolved, [/column v: more than one table of unknown columns could hold it \(t1, t2\)/]);
  },
);

t.test(
  "the example's mart.customer_features: each feature's upstream columns, down to the landing files",
  async (t) => {
    const root = exampleCopy(t.testdir());
    const settings = loadSettings(root);
    const project = discover(root);
    const columns = await columnLineageOf(project, settings, await lineageOfProject(project, settings));
    const features = new Map(columns?.get('mart.customer_features')?.columns.map((c) => [c.column, c.from]));
    t.same(features.get('total_revenue'), [{ source: 'core.orders_enriched.revenue', how: 'aggregation' }]);
    t.same(features.get('customer_id'), [{ source: 'core.orders_enriched.customer_id', how: 'identity' }]);
    t.same(
      features.get('favourite_category')?.map((f) => f.source),
      ['core.orders_enriched.category', 'core.orders_enriched.revenue'],
    );
    t.same(
      columns
        ?.get('core.orders_enriched')
        ?.columns.find((c) => c.column === 'revenue')
        ?.from.map((f) => f.source),
      ['core.orders.quantity', 'core.orders.unit_price'],
    );
    t.same(columns?.get('raw.orders')?.columns.find((c) => c.column === 'quantity')?.from, [
      { source: 'file:data/landing/orders/*.csv.quantity', how: 'identity' },
    ]);
    t.match(columns?.get('raw.customers')?.unresolved, [/\* over read_csv\('data\/landing\/customers\.csv'\)/]);
  },
);
