import t from 'tap';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleCopy, query, read, readCsv } from './helpers.js';

t.test('./run.sh builds the example pipeline end to end at small size', async (t) => {
  const dir = exampleCopy(t.testdir());
  const run = await execa('./run.sh', ['--var', 'orders=3000'], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  for (const step of ['01_generate', '02_extract', '03_quality', '04_enrich', '05_aggregate']) {
    t.match(run.stdout, new RegExp(`✔ ${step}( batch 1 \\(30 files\\))? ok in`), `${step} ran`);
  }
  t.match(
    run.stdout,
    /\n! unit_price_far_from_list_price: \d+ offending rows \(warn, tests\/price_outliers\.sql:6\), all in logs\/test_failures\/unit_price_far_from_list_price\.csv\n/,
    'the example warning fires: one line, its count and the file of its rows',
  );
  const db = join(dir, 'data/warehouse.duckdb');
  const counts = await query(
    db,
    `SELECT
      (SELECT count(*) FROM raw.orders) + (SELECT count(*) FROM raw.orders_malformed) AS landed,
      (SELECT count(*) FROM core.orders) + (SELECT count(*) FROM core.rejected_orders) AS split,
      (SELECT count(*) FROM raw.orders_malformed) AS malformed,
      (SELECT count(DISTINCT reject_reason) FROM core.rejected_orders) AS reasons`,
  );
  t.equal(counts[0].landed, counts[0].split);
  t.equal(counts[0].malformed, 90, 'the malformed landing lines (3 a day) went to the rejects');
  t.ok(Number(counts[0].reasons) >= 6, 'every deliberate quality problem is caught');
  for (const file of ['customer_features.parquet', 'daily_revenue.csv', 'rejected_orders.csv']) {
    t.ok(existsSync(join(dir, 'output', file)), `output/${file} published`);
  }
  t.match(
    run.stdout,
    /\n✔ publish: 3 ok, 2 skipped \(DUCKSTEPS_PG_URL is not set\)\n/,
    'PostgreSQL targets wait for DUCKSTEPS_PG_URL',
  );
  t.equal(
    read(join(dir, 'logs/run_log.csv')).split('\r\n')[0],
    'run_id,step,status,started_at,finished_at,duration_ms,statements,rows_changed,error,batch_id,batch_files,peak_rss_mb,cpu_ms,bytes',
  );
  t.match(run.stdout, /^✔ unit tests: 5 passed in /, "the example's unit tests run first, and pass");
  t.same(
    (await readCsv(join(dir, 'logs/run_log.csv'))).map((r) => `${r.step}:${r.status}`),
    [
      'unit tests:ok',
      '01_generate:ok',
      '02_extract:ok',
      '03_quality:ok',
      '04_enrich:ok',
      '05_aggregate:ok',
      'tests:ok',
      'publish output/customer_features.parquet:ok',
      'publish output/daily_revenue.csv:ok',
      'publish output/rejected_orders.csv:ok',
      'publish ml.customer_features:skipped',
      'publish ml.daily_revenue:skipped',
    ],
  );
  const again = await execa('./run.sh', ['--var', 'orders=3000'], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
  t.equal(again.exitCode, 0, again.stdout + again.stderr);
  const lines = again.stdout.trimEnd().split('\n');
  t.ok(lines.length <= 12, `a run with nothing new fits in 12 lines (${lines.length}):\n${again.stdout}`);
  for (const step of ['02_extract', '03_quality', '04_enrich', '05_aggregate'])
    t.ok(lines.includes(`✔ ${step} up to date: no new batch`), `one line for ${step}`);
  t.match(
    again.stdout,
    /\n✔ 18 assertions: 17 passed, 1 warning \(18 not run again: checked on this same warehouse, unchanged since\)\n! unit_price_far_from_list_price: \d[\d,]* offending rows? \(warn, tests\/price_outliers\.sql:6\)/,
  );
  t.notMatch(
    again.stdout,
    /[┌┬┐]/,
    'no table: the steps, the passing assertions and the targets are counted, not listed',
  );
  t.match(lines.at(-1), /^✔ ok in [\d.]+ s \(run \S+\): logs in logs\/, report: logs\/report\.html$/);
  const verbose = await execa('./run.sh', ['--var', 'orders=3000', '--verbose', '--recheck'], {
    cwd: dir,
    env: { NO_COLOR: '1' },
  });
  t.match(verbose.stdout, /▶ 01_generate started/, '--verbose: a line as each step starts');
  t.match(verbose.stdout, /│ orders_order_id_unique +│ error +│ pass +│ 0 /, '--verbose: the table of every assertion');
  t.match(
    verbose.stdout,
    /│ ml\.customer_features\s+│ skipped \(DUCKSTEPS_PG_URL is not set\)/,
    '--verbose: the publish table',
  );
});

t.test('the example is deterministic: same input, same output', async (t) => {
  const root = t.testdir();
  const a = exampleCopy(root, 'a');
  const b = exampleCopy(root, 'b');
  await Promise.all(
    [a, b].map((dir) => execa('./run.sh', ['--var', 'orders=1500'], { cwd: dir, env: { NO_COLOR: '1' } })),
  );
  for (const file of ['daily_revenue.csv', 'rejected_orders.csv'])
    t.equal(read(join(a, 'output', file)), read(join(b, 'output', file)), file);
  t.same(
    readFileSync(join(a, 'output/customer_features.parquet')),
    readFileSync(join(b, 'output/customer_features.parquet')),
    'the same Parquet bytes',
  );
});
