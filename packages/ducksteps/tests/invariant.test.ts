// The key invariant of incremental steps, on the example pipeline: for the same landing files, any
// sequence of incremental runs (a day at a time, several days at once, a failed-then-fixed step, a
// kill -9 of the driver mid-run, --batch-size) gives the tables one --full-refresh run gives.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, EXAMPLE_TABLES, exampleCopy, exampleDifferences, printed, query } from './helpers.js';
import { openDatabase } from '../lib/engines/duckdb/database.js';

const SMALL = ['--var', 'orders=30000']; // 1,000 orders a day: one order a day is sent again a day late
/** Rows of each table present in one database and not the other (both ways), 0 everywhere when equal. */
async function differences(a: string, b: string): Promise<Record<string, number>> {
  const db = await openDatabase(':memory:');
  try {
    await db.run(`ATTACH '${a}' AS a (READ_ONLY)`);
    await db.run(`ATTACH '${b}' AS b (READ_ONLY)`);
    return await exampleDifferences(db);
  } finally {
    db.close();
  }
}

t.test('incremental runs in any sequence give the tables of one --full-refresh over the same files', async (t) => {
  const root = t.testdir();
  const inc = exampleCopy(root, 'incremental');
  const days = (n: number) => [...SMALL, '--var', `days=${n}`];
  t.equal((await cli(inc, days(2))).exitCode, 0, 'day 1-2 at once');
  t.equal((await cli(inc, days(3))).exitCode, 0, 'day 3');

  const enrich = join(inc, 'sql/04_enrich/01_orders_enriched.sql');
  const good = readFileSync(enrich, 'utf8');
  writeFileSync(enrich, `${good}\nSELECT * FROM no_such_table;\n`);
  const broken = await cli(inc, days(5));
  t.equal(broken.exitCode, 1, 'days 4-5: enrich fails after extract and quality committed the batch');
  writeFileSync(enrich, good);
  t.equal((await cli(inc, days(5))).exitCode, 0, 'fixed: the batch finishes from enrich on');

  const victim = cli(inc, [...days(7), '--verbose']); // --verbose: a line as each step starts, to act on
  await printed(victim, '▶ 04_enrich');
  victim.kill('SIGKILL');
  await victim.catch(() => undefined);
  const afterKill = await cli(inc, days(7));
  t.equal(afterKill.exitCode, 0, 'after kill -9 of the driver, the next run finishes days 6-7');
  t.equal((await cli(inc, [...days(9), '--batch-size', '1'])).exitCode, 0, 'days 8-9 one batch each');
  t.equal((await cli(inc, days(9))).exitCode, 0, 'nothing new');

  const full = exampleCopy(root, 'full');
  const refresh = await cli(full, [...days(9), '--full-refresh']);
  t.equal(refresh.exitCode, 0, 'one --full-refresh over days 1-9');

  const a = join(inc, 'data/warehouse.duckdb');
  const b = join(full, 'data/warehouse.duckdb');
  t.same(
    await differences(a, b),
    Object.fromEntries(EXAMPLE_TABLES.map((name) => [name, 0])),
    'every table equal, row for row',
  );
  const ledger = await query(a, 'SELECT count(*) AS files, count(DISTINCT path) AS paths FROM ducksteps.loaded_files');
  t.same(ledger, [{ files: 9, paths: 9 }], 'each of the 9 day files loaded exactly once');
  const orders = await query(a, 'SELECT count(*) AS n FROM core.orders');
  t.ok(Number(orders[0].n) > 200, 'the tables are not trivially empty');
  const dupes = await query(
    a,
    "SELECT count(*) AS n FROM core.rejected_orders WHERE reject_reason = 'duplicate_order_id' AND source_file > 'orders_2024-01-01.csv'",
  );
  t.ok(Number(dupes[0].n) > 0, 'orders repeated in a later day were rejected as duplicates across batches');
});
