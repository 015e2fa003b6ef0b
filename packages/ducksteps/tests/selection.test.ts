// --select / --exclude follow the lineage; partial runs warn about the steps they leave stale.
import t from 'tap';
import { join } from 'node:path';
import { cli, project, readCsv } from './helpers.js';

const PIPELINE = {
  '01_raw': { 'a.sql': 'CREATE OR REPLACE TABLE raw_pay AS SELECT 1 AS id;' },
  '02_staging': {
    'a.sql': 'CREATE SCHEMA IF NOT EXISTS stg;\nCREATE OR REPLACE TABLE "stg"."payments" AS SELECT * FROM raw_pay;',
  },
  '03_marts': { 'a.sql': 'CREATE OR REPLACE TABLE mart AS WITH p AS (SELECT * FROM stg.payments) SELECT * FROM p;' },
  '04_other': { 'a.sql': 'CREATE OR REPLACE TABLE other AS SELECT 2 AS x;' },
  '05_report': { 'a.sql': 'CREATE OR REPLACE TABLE report AS SELECT m.id, o.x FROM mart AS m, other AS o;' },
};

async function ran(dir: string, args: string[]) {
  const before = (await readCsv(join(dir, 'logs/run_log.csv')).catch(() => [])).length;
  const run = await cli(dir, args);
  const rows = (await readCsv(join(dir, 'logs/run_log.csv'))).slice(before).filter((r) => /^\d/.test(String(r.step)));
  return { run, steps: rows.map((r) => r.step) };
}

t.test('--select STEP+, +STEP, several values and --exclude follow what reads what', async (t) => {
  const dir = project(t, undefined, { sql: PIPELINE });
  t.equal((await cli(dir)).exitCode, 0, 'a full build first');
  t.same(
    (await ran(dir, ['--select', 'staging+'])).steps,
    ['02_staging', '03_marts', '05_report'],
    'STEP+: downstream, through a CTE and a comma join',
  );
  t.same((await ran(dir, ['--select', '+marts'])).steps, ['01_raw', '02_staging', '03_marts'], '+STEP: upstream');
  t.same(
    (await ran(dir, ['--select', 'other,raw', '--select', '05_report'])).steps,
    ['01_raw', '04_other', '05_report'],
    'a union, in step order',
  );
  t.same(
    (await ran(dir, ['--select', 'raw+', '--exclude', 'report'])).steps,
    ['01_raw', '02_staging', '03_marts'],
    '--exclude',
  );
  t.same(
    (await ran(dir, ['--exclude', '+marts'])).steps,
    ['04_other', '05_report'],
    '--exclude alone removes from everything',
  );
});

t.test('--only and --select warn, one line per stale reader, naming the fix', async (t) => {
  const dir = project(t, undefined, { sql: PIPELINE });
  t.equal((await cli(dir)).exitCode, 0);
  const { run } = await ran(dir, ['--only', 'staging', '--recheck']); // --recheck: it runs (nothing it reads changed)
  t.equal(run.exitCode, 0);
  t.match(
    run.stdout,
    /^! 03_marts reads what 02_staging rebuilds and did not run: run --select 02_staging\+ to rebuild it too\n✔ 02_staging ok/,
  );
  t.notMatch(run.stdout, /05_report reads/, 'only direct readers of what was rebuilt');
  t.notMatch((await cli(dir, ['--select', 'staging+'])).stdout, /^!/m, 'a downstream selection leaves nothing stale');
});

t.test('bad --select values are usage errors (exit 2)', async (t) => {
  const dir = project(t, undefined, { sql: PIPELINE });
  const unknown = await cli(dir, ['--select', 'nope+']);
  t.equal(unknown.exitCode, 2);
  t.match(unknown.stderr, /--select nope: no such step/);
  const mixed = await cli(dir, ['--select', 'raw', '--only', 'raw']);
  t.equal(mixed.exitCode, 2);
  t.match(mixed.stderr, /--select\/--exclude cannot be combined with --only/);
  const empty = await cli(dir, ['--select', 'raw', '--exclude', 'raw']);
  t.equal(empty.exitCode, 2);
  t.match(empty.stderr, /--select\/--exclude leave no step to run/);
});
