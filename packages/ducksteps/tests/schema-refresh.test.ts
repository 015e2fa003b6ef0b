// Rebuilding one group of the example after a schema change (--full-refresh --select 04_enrich+, --only), and
// finishing a refresh that failed halfway.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, query } from './helpers.js';
import {
  committed,
  DB,
  days,
  differences,
  edit,
  ENRICH,
  FEATURES,
  none,
  schemaExample,
  withDiscount,
} from './schema-example.js';

const { reference, copy } = schemaExample(t, { reference: true });

t.test('--full-refresh --select 04_enrich+ rebuilds 04 and 05 only, from the tables they read', async (t) => {
  const dir = copy('refresh');
  edit(dir, ENRICH, withDiscount);
  t.equal((await cli(dir, days(3))).exitCode, 1, 'the next day stops at the new column');
  const before = await committed(dir);
  const run = await cli(dir, [...days(3), '--full-refresh', '--select', '04_enrich+']);
  t.equal(run.exitCode, 0, run.exitCode === 0 ? 'exit 0' : run.stdout);
  t.match(
    run.stdout,
    '· full refresh: 04_enrich, 05_aggregate rebuild every batch of the ledger from the tables they read; 02_extract, 03_quality keep their tables',
  );
  t.match(run.stdout, '✔ 04_enrich batches 1-3 (3 files, full refresh) ok');
  t.notMatch(run.stdout, /(02_extract|03_quality) batch/);
  const after = await committed(dir);
  const upstream = (list: string[]) => list.filter((c) => /^0[23]_/.test(c));
  t.same(upstream(after), upstream(before), '02 and 03 keep their commits');
  const runId = after.find((c) => c.startsWith('04_enrich 1 '))!.split(' ')[2];
  t.ok(
    after.filter((c) => /^0[45]_/.test(c)).every((c) => c.endsWith(runId)),
    '04 and 05 recommitted by this run',
  );
  t.same(await differences(join(dir, DB), join(reference, DB)), none, 'the tables of a full build with the new SQL');
  const change = await query(
    join(dir, DB),
    "SELECT change FROM ducksteps.table_schemas WHERE table_name = 'core.orders_enriched' AND version = 2",
  );
  t.same(change, [{ change: 'rebuilt by a full refresh: added discount DECIMAL(14,2)' }]);
});

t.test('a refresh that fails halfway is finished by the next run, reader included', async (t) => {
  const dir = copy('resume');
  edit(dir, ENRICH, withDiscount);
  t.equal((await cli(dir, days(3))).exitCode, 1);
  const good = readFileSync(join(dir, FEATURES), 'utf8');
  writeFileSync(join(dir, FEATURES), `${good}\nSELECT * FROM no_such_table;\n`);
  const broken = await cli(dir, [...days(3), '--full-refresh', '--only', '04_enrich']);
  t.equal(broken.exitCode, 1);
  t.match(broken.stdout, '· 05_aggregate rebuilds too: built from the rows of 04_enrich');
  t.match(broken.stdout, '✔ 04_enrich batches 1-3');
  t.match(broken.stdout, '✘ 05_aggregate batches 1-3');
  writeFileSync(join(dir, FEATURES), good);
  const next = await cli(dir, days(3));
  t.equal(next.exitCode, 0, next.exitCode === 0 ? 'exit 0' : next.stdout);
  t.match(next.stdout, '✔ 05_aggregate batches 1-3 (3 files, full refresh) ok');
  t.notMatch(next.stdout, '▶ 04_enrich');
  t.same(await differences(join(dir, DB), join(reference, DB)), none);
});
