// Slow (15 min on 2 busy cores): three days of the example on Spark under kill -9 faults, a rerun, a DuckDB build.
// Kill tests of the spark engine on the example's day-by-day sequence, on a local cluster: kill -9 the driver
// (ducksteps itself, its worker dies with it) on day 1; one executor, then a worker (with its executor) on day 2;
// the Connect server (then restart it) on day 3; each at a random moment of the day's run (seeded: DUCKSTEPS_KILL_SEED=n replays a sequence);
// run again. The tables equal an undisturbed build (one DuckDB build of the same days, compared on what does not
// depend on how the days were split into batches), the ledger has every file once and every step's batch once,
// and no table version outside the ledger is left on the cluster.
import t from 'tap';
import { join } from 'node:path';
import { cli, exampleCopy, query } from './helpers.js';
import { sparkClusterFor } from './spark-shared.js';
import { seeded, strike } from './spark-faults.js';
import { sparkCli, tablesOf } from './spark-run.js';
import {
  ALL_EQUAL,
  BUSINESS,
  differences,
  duckDigests,
  EXAMPLE_SCHEMAS,
  EXAMPLE_TABLES,
  sparkDigests,
} from './spark-tables.js';

t.setTimeout(900_000); // a safety margin over tap's 300 s on a loaded machine (see the time in the comments)

const SIZE = ['--var', 'orders=30000'];
const STEPS = ['02_extract', '03_quality', '04_enrich', '05_aggregate'];
const seed = Number(process.env.DUCKSTEPS_KILL_SEED ?? 24);

t.test(
  'kill -9 of the driver, an executor, a worker and the Connect server at random moments, then a rerun: the tables of an undisturbed build, every file once',
  async (t) => {
    const root = t.testdir();
    // the undisturbed DuckDB build starts first and runs beside the wait for the cluster and the faulted days
    // (another folder, no cluster): the whole cluster's lease, which every other Spark file waits for, is not
    // held through it
    const full = exampleCopy(root, 'undisturbed');
    const undisturbed = cli(full, [...SIZE, '--var', 'days=3']);
    const { url, cluster } = await sparkClusterFor(t, { schemas: EXAMPLE_SCHEMAS, faults: true });
    const random = seeded(seed);
    t.comment(`seed ${seed} (DUCKSTEPS_KILL_SEED)`);
    const inc = exampleCopy(root, 'incremental');
    const day = (n: number) => sparkCli(inc, url, [...SIZE, '--var', `days=${n}`, '--verbose']); // --verbose: a line as each step starts, to act on
    const started = Date.now();

    const driver = day(1);
    t.equal(
      (await strike(t, driver, STEPS, random, () => driver.kill('SIGKILL'))).signal,
      'SIGKILL',
      'day 1: the driver is killed',
    );
    const second = day(2); // an executor, then a worker with its executor, in the same run
    await strike(
      t,
      second,
      STEPS.slice(0, 2),
      random,
      async () => t.ok(await cluster.killExecutor(), 'day 2: an executor is killed'),
      4000,
      false,
    );
    await strike(t, second, STEPS.slice(2), random, () => cluster.killWorker(Math.floor(random() * 2)));
    const lost = await strike(t, day(3), STEPS, random, () => cluster.killConnectServer());
    t.equal(lost.exitCode, 1, 'day 3: the run fails when the Connect server dies');
    t.match(lost.stdout, /cannot reach Spark Connect at 127\.0\.0\.1:\d+/);
    await cluster.restartConnectServer();
    const rerun = await day(3);
    t.equal(rerun.exitCode, 0, 'the rerun finishes every day', { output: rerun.stdout + rerun.stderr });
    t.comment(`three faulted days and the rerun: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    t.equal((await undisturbed).exitCode, 0, 'an undisturbed build of the same three days on a DuckDB file');
    t.same(
      differences(
        await sparkDigests(url, EXAMPLE_TABLES, BUSINESS),
        await duckDigests(join(full, 'data', 'warehouse.duckdb'), EXAMPLE_TABLES, BUSINESS),
      ),
      ALL_EQUAL,
    );
    const ledger = join(inc, 'data', 'warehouse.duckdb');
    t.same(
      await query(
        ledger,
        "SELECT count(*) AS files, count(DISTINCT path) AS paths FROM ducksteps.loaded_files WHERE input = 'orders'",
      ),
      [{ files: 3, paths: 3 }],
      'every day file once in the ledger',
    );
    t.same(
      await query(
        ledger,
        'SELECT step, batch_id, count(*) AS n FROM ducksteps.step_batches GROUP BY ALL HAVING count(*) > 1',
      ),
      [],
      'no step committed a batch twice',
    );
    t.same(
      await query(
        ledger,
        'SELECT batch_id FROM ducksteps.batches EXCEPT SELECT batch_id FROM ducksteps.step_batches GROUP BY batch_id HAVING count(*) = 4',
      ),
      [],
      'every batch went through the four incremental steps',
    );

    t.equal(
      (await sparkCli(inc, url, ['test', ...SIZE, '--var', 'days=3'])).exitCode,
      0,
      'one more start (it drops what a killed statement finished late)',
    );
    const known = new Set(
      (await query(ledger, 'SELECT physical FROM ducksteps.spark_versions')).map((r) => String(r.physical)),
    );
    const versions = (
      await Promise.all(
        ['raw', 'core', 'mart'].map(async (schema) => (await tablesOf(url, schema)).map((name) => `${schema}.${name}`)),
      )
    )
      .flat()
      .filter((name) => name.includes('__ds'));
    t.same(
      versions.filter((name) => !known.has(name)),
      [],
      `no version outside the ledger (${versions.length} versions on the cluster)`,
    );
  },
);
