// The spark engine's settings and the mistakes around them, without a cluster: an unknown engine, Spark without
// its URL, a malformed URL, a server that is not there (each one message, exit 2, no secret shown), and compile,
// which renders for Spark (the .spark.sql variant, {{ engine }}) and runs nothing.
import t from 'tap';
import { join } from 'node:path';
import { cli, project, read } from './helpers.js';
import { freePort } from './spark-processes.js';

const files = {
  'package.json': JSON.stringify({ name: 'p', ducksteps: { database: 'data/ledger.duckdb' } }),
  sql: {
    '01_a': {
      '01_x.sql': "SELECT 'duckdb' AS file, '{{ engine }}' AS engine;",
      '01_x.spark.sql': "SELECT 'spark' AS file, '{{ engine }}' AS engine;",
    },
  },
};

t.test('an unknown engine is refused, naming the two', async (t) => {
  const result = await cli(project(t, undefined, files), ['--engine', 'flink']);
  t.equal(result.exitCode, 2);
  t.match(result.stderr, 'ducksteps: --engine must be duckdb or spark, got "flink"');
});

t.test('spark without DUCKSTEPS_SPARK_URL says where the cluster is named, from the flag or the setting', async (t) => {
  const flag = await cli(project(t, undefined, files), ['--engine', 'spark']);
  t.equal(flag.exitCode, 2);
  t.match(flag.stderr, 'ducksteps: --engine spark needs the cluster: DUCKSTEPS_SPARK_URL is not set');
  t.match(flag.stderr, 'export DUCKSTEPS_SPARK_URL=sc://host:15002');
  const setting = await cli(
    project(t, undefined, { ...files, 'package.json': JSON.stringify({ ducksteps: { engine: 'spark' } }) }),
  );
  t.equal(setting.exitCode, 2);
  t.match(setting.stderr, 'package.json "ducksteps"."engine" spark needs the cluster');
});

t.test(
  'a URL that is not sc://host:port, and a server that is not there: one message, exit 2, the token masked',
  async (t) => {
    const dir = project(t, undefined, files);
    const bad = await cli(dir, ['--engine', 'spark'], { DUCKSTEPS_SPARK_URL: 'http://h:1/;token=s3cr3t' });
    t.equal(bad.exitCode, 2);
    t.match(
      bad.stderr,
      /cannot prepare the Spark warehouse .*not a Spark Connect URL: http:\/\/h:1\/;token=\*\*\* \(expected sc:\/\/host:port/,
    );
    const port = await freePort();
    const away = await cli(dir, ['--engine', 'spark'], {
      DUCKSTEPS_SPARK_URL: `sc://127.0.0.1:${port}/;user_id=me;x-api-key=s3cr3t`,
    });
    t.equal(away.exitCode, 2);
    t.match(away.stderr, `cannot reach Spark Connect at 127.0.0.1:${port}`);
    t.match(away.stderr, 'check that the Spark Connect server runs and DUCKSTEPS_SPARK_URL is right');
    t.notMatch(bad.stdout + bad.stderr + away.stdout + away.stderr, 's3cr3t');
  },
);

t.test(
  'compile renders for Spark without a cluster (none named): NAME.spark.sql wins, {{ engine }} is spark, nothing is parsed',
  async (t) => {
    const dir = project(t, undefined, files);
    const result = await cli(dir, ['compile', '--engine', 'spark'], { DUCKSTEPS_SPARK_URL: '' });
    t.equal(result.exitCode, 0, 'exit 0', { output: result.stdout + result.stderr });
    t.match(result.stdout, '1 file, 1 statement rendered (Spark SQL is checked by the cluster when it runs), 0 errors');
    t.equal(
      read(join(dir, 'logs', 'compiled', '01_a', '01_x.spark.sql')),
      "SELECT 'spark' AS file, 'spark' AS engine;",
    );
    for (const command of ['list', 'test --unit']) {
      const other = await cli(dir, [...command.split(' '), '--engine', 'spark'], { DUCKSTEPS_SPARK_URL: '' });
      t.equal(other.exitCode, 0, `${command} connects to no cluster either`, { output: other.stderr });
    }
    const duck = await cli(dir, ['compile']);
    t.match(duck.stdout, '1 file, 1 statement parsed');
    t.equal(read(join(dir, 'logs', 'compiled', '01_a', '01_x.sql')), "SELECT 'duckdb' AS file, 'duckdb' AS engine;");
  },
);

t.test(
  'a variant that replaces no file (01_mian.spark.sql beside 01_main.sql) is warned about, on both engines; one no file is near is not',
  async (t) => {
    const dir = project(t, undefined, {
      'package.json': JSON.stringify({ name: 'p', ducksteps: { database: 'data/ledger.duckdb' } }),
      sql: {
        '01_a': {
          '01_main.sql': 'SELECT 1 AS x;',
          '01_mian.spark.sql': 'SELECT 2 AS x;',
          '09_cache.spark.sql': 'SELECT 3 AS x;', // a statement only Spark needs: nothing it could have meant
        },
      },
    });
    const warning =
      '! sql/01_a/01_mian.spark.sql replaces no file (there is no 01_mian.sql), so on spark it runs as well as 01_main.sql: rename it 01_main.spark.sql if it should replace that file';
    const spark = await cli(dir, ['compile', '--engine', 'spark'], { DUCKSTEPS_SPARK_URL: 'sc://127.0.0.1:1' });
    t.equal(spark.exitCode, 0, 'exit 0', { output: spark.stdout + spark.stderr });
    t.match(spark.stdout, warning);
    t.match(spark.stdout, '3 files, 3 statements rendered', 'on Spark both run, as the warning says');
    t.notMatch(spark.stdout, '09_cache.spark.sql replaces no file');
    const duck = await cli(dir, []);
    t.equal(duck.exitCode, 0, 'exit 0', { output: duck.stdout + duck.stderr });
    t.match(duck.stdout, warning);
  },
);
