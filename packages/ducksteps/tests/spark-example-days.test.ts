// Slow (9 min on 2 busy cores): the example's Spark steps for two days, each statement a job on the cluster.
// The example pipeline on a local Spark cluster, day by day: each day's run processes only its file (each
// incremental step adds the batch to a new version of its tables, built from the committed one), and after two
// days every table equals the same two runs on a DuckDB file — every column, batch ids and line positions
// included, but the CSV reader's own message for a malformed line.
import t from 'tap';
import { join } from 'node:path';
import { cli, exampleCopy, query } from './helpers.js';
import { sparkClusterFor } from './spark-shared.js';
import { sparkCli } from './spark-run.js';
import {
  ALL_EQUAL,
  differences,
  duckDigests,
  EXAMPLE_SCHEMAS,
  EXAMPLE_TABLES,
  NOT_COMPARED,
  sparkDigests,
} from './spark-tables.js';

t.setTimeout(600_000); // a safety margin over tap's 300 s on a loaded machine (see the time in the comments)

const SIZE = ['--var', 'orders=30000']; // 1,000 orders a day: a day-late duplicate every day from day 2

t.test('the example day by day on a cluster equals the same days on a DuckDB file, table by table', async (t) => {
  const root = t.testdir();
  const [spark, duck] = [exampleCopy(root, 'spark'), exampleCopy(root, 'duckdb')];
  // the DuckDB days start first and run beside the wait for the cluster and the Spark days (another folder,
  // another warehouse): the cluster's lease, which the other files of the example's schemas wait for, is not held
  // through them
  const duckDays = (async () => {
    for (const day of [1, 2])
      t.equal((await cli(duck, [...SIZE, '--var', `days=${day}`])).exitCode, 0, `day ${day} on DuckDB`);
  })();
  const { url } = await sparkClusterFor(t, { schemas: EXAMPLE_SCHEMAS });
  for (const day of [1, 2]) {
    const started = Date.now();
    const result = await sparkCli(spark, url, [...SIZE, '--var', `days=${day}`]);
    t.comment(`day ${day} on Spark: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    t.equal(result.exitCode, 0, `day ${day} on Spark`, { output: result.stdout + result.stderr });
    t.match(result.stdout, /orders: 1 new file/, 'only the new day');
  }
  await duckDays;
  t.same(
    differences(
      await sparkDigests(url, EXAMPLE_TABLES, NOT_COMPARED),
      await duckDigests(join(duck, 'data', 'warehouse.duckdb'), EXAMPLE_TABLES, NOT_COMPARED),
    ),
    ALL_EQUAL,
  );
  t.same(
    await query(
      join(spark, 'data', 'warehouse.duckdb'),
      "SELECT count(*) AS files, count(DISTINCT path) AS paths FROM ducksteps.loaded_files WHERE input = 'orders'",
    ),
    [{ files: 2, paths: 2 }],
    'the ledger (--db) has each day file once',
  );
});
