// Slow (5 min on 2 busy cores): the whole example on Spark, then on DuckDB, compared table by table.
// The example pipeline on a local Spark cluster, full build: its .spark.sql files give the tables the DuckDB
// files give on a DuckDB file (row counts and an order-independent checksum per table, every column but one:
// raw.orders_malformed.error_message is each CSV reader's own text); the gates run inside the steps; publish
// delivers the same files and the same PostgreSQL rows as from DuckDB; the report is written; show, sql and doctor
// read the cluster.
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

t.setTimeout(900_000); // a safety margin over tap's 300 s on a loaded machine: the file took 3.3 minutes at load 17 on 2 cores, the build alone 6.5 minutes at load 30

const SIZE = ['--var', 'orders=30000', '--var', 'days=2'];

const server = await startPostgres(); // before the lease (in the test): the cluster is not held while it starts
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
    const duck = exampleCopy(root, 'duckdb');
    // the DuckDB build starts first and runs beside the wait for the cluster and the Spark build (another folder,
    // another PostgreSQL database): the cluster's lease, which the other files of the example's schemas wait for,
    // is not held through it
    const duckBuild = cli(duck, SIZE, { DUCKSTEPS_PG_URL: duckDb.url });
    const { url } = await sparkClusterFor(t, { schemas: EXAMPLE_SCHEMAS });
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
    t.match(built.stdout, /\n✔ publish: 5 ok\n/, 'published to PostgreSQL (the files and both tables)');
    t.ok(existsSync(join(spark, 'logs', 'report.html')), 'the report is written');

    const reference = await duckBuild;
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

    const shown = await sparkCli(spark, url, ['show', 'mart.daily_revenue']);
    t.equal(shown.exitCode, 0, 'show on Spark', { output: shown.stderr });
    t.match(shown.stdout, /│ order_date +│ orders +│[\s\S]*\n\(2 rows\)$/, 'show reads the table from the cluster');
    const count = 'SELECT count(*) AS n FROM core.orders';
    t.same(
      JSON.parse((await sparkCli(spark, url, ['sql', count, '--json'])).stdout),
      JSON.parse((await cli(duck, ['sql', count, '--json'])).stdout),
      'sql on Spark: the rows the DuckDB build has',
    );
    const doctor = await sparkCli(spark, url, ['doctor']);
    t.equal(doctor.exitCode, 0, 'doctor on Spark', { output: doctor.stdout });
    t.match(doctor.stdout, /\n✔ ok +spark +Spark \d+\.\d+\.\d+ at sc:\/\//, 'doctor asks the cluster its version');
  },
);
