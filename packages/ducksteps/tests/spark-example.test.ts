// Slow (5 min on 2 busy cores): the whole example on Spark, then on DuckDB, compared table by table.
// The example pipeline on a local Spark cluster, full build: its .spark.sql files give the tables the DuckDB
// files give on a DuckDB file (row counts and an order-independent checksum per table, every column but one:
// raw.orders_malformed.error_message is each CSV reader's own text); the gates run inside the steps; publish
// delivers the same files and the same PostgreSQL rows as from DuckDB; the report is written.
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { cli, exampleCopy, query, read } from './helpers.js';
import { startPostgres } from './postgres-server.js';
import { sparkClusterFor } from './spark-shared.js';
import { sparkCli } from './spark-run.js';
import {
  differences,
  digest,
  duckDigests,
  EXAMPLE_SCHEMAS,
  EXAMPLE_TABLES,
  NOT_COMPARED,
  sparkDigests,
} from './spark-tables.js';

t.setTimeout(480_000); // a safety margin over tap's 300 s on a loaded machine; the file took 3.3 minutes here at load 17 on 2 cores

const SIZE = ['--var', 'orders=30000', '--var', 'days=2'];

const { url } = await sparkClusterFor(t, { schemas: EXAMPLE_SCHEMAS });
const server = await startPostgres();
t.teardown(() => server.stop());
/** A database with schema ml on the test server, for one engine's publish targets. */
const database = async (name: string) => {
  await server.query(`CREATE DATABASE ${name}`);
  const target = server.url.replace(/\/postgres$/, `/${name}`);
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  await client.query('CREATE SCHEMA ml');
  return { url: target, client };
};
/** One text per published PostgreSQL table, its rows in key order (numeric types as PostgreSQL prints them). */
const published = async (client: pg.Client) => ({
  features: (
    await client.query("SELECT string_agg(f::text, E'\\n' ORDER BY customer_id) AS t FROM ml.customer_features f")
  ).rows[0].t as string,
  daily: (await client.query("SELECT string_agg(d::text, E'\\n' ORDER BY order_date) AS t FROM ml.daily_revenue d"))
    .rows[0].t as string,
});

t.test(
  'the example on a cluster, a full build: every table equals the DuckDB build; gates, publish and the report work',
  async (t) => {
    const root = t.testdir();
    const [sparkDb, duckDb] = [await database('from_spark'), await database('from_duckdb')];
    t.teardown(() => Promise.all([sparkDb.client.end(), duckDb.client.end()]));
    const spark = exampleCopy(root, 'spark');
    const started = Date.now();
    const built = await sparkCli(spark, url, SIZE, { DUCKSTEPS_PG_URL: sparkDb.url });
    t.comment(`the example on Spark: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    t.equal(built.exitCode, 0, 'exit 0', { output: built.stdout + built.stderr });
    for (const step of ['03_quality', '04_enrich', '05_aggregate'])
      t.match(
        built.stdout,
        new RegExp(`✔ ${step} batch 1 \\(2 files\\) ok .*assertions? gated it`),
        `${step}: its gates ran before its commit`,
      );
    t.match(built.stdout, /ml\.daily_revenue\s+│ ok/, 'published to PostgreSQL');
    t.ok(existsSync(join(spark, 'logs', 'report.html')), 'the report is written');

    const duck = exampleCopy(root, 'duckdb');
    const reference = await cli(duck, SIZE, { DUCKSTEPS_PG_URL: duckDb.url });
    t.equal(reference.exitCode, 0, 'the DuckDB build', { output: reference.stdout });
    const sparkTables = await sparkDigests(url, EXAMPLE_TABLES, NOT_COMPARED);
    t.same(
      differences(sparkTables, await duckDigests(join(duck, 'data', 'warehouse.duckdb'), EXAMPLE_TABLES, NOT_COMPARED)),
      Object.fromEntries(EXAMPLE_TABLES.map((table) => [table, 'equal'])),
      'row counts and checksums equal',
    );
    t.ok(
      sparkTables['core.orders'].rows > 1_900 && sparkTables['raw.orders_malformed'].rows === 6,
      `${sparkTables['core.orders'].rows} clean orders, 6 malformed lines`,
    );

    for (const file of ['daily_revenue.csv', 'rejected_orders.csv'])
      t.equal(read(join(spark, 'output', file)), read(join(duck, 'output', file)), `output/${file}: the same bytes`);
    const parquet = async (dir: string) =>
      digest(
        await query(
          join(duck, 'data', 'warehouse.duckdb'),
          `SELECT * FROM '${join(dir, 'output', 'customer_features.parquet')}'`,
        ),
      );
    t.same(
      (await parquet(spark)).checksum,
      (await parquet(duck)).checksum,
      'output/customer_features.parquet: the same rows',
    );
    t.same(await published(sparkDb.client), await published(duckDb.client), 'the same rows in PostgreSQL');
  },
);
