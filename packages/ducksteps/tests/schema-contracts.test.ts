// Contracts on the example's steps (docs/schema-changes.md): a migration may not break a -- contract: true
// table, and an edit that breaks a contract.yaml fails before COMMIT at the contract, naming who relies on it.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, query } from './helpers.js';
import { DB, days, edit, ENRICH, FEATURES, policy, schemaExample } from './schema-example.js';

const { copy } = schemaExample(t);

t.test('a contract is kept: a column its readers rely on cannot be dropped by a migration', async (t) => {
  const dir = copy('contract');
  edit(dir, ENRICH, (sql) =>
    policy('sync_all_columns')(sql)
      .replace(
        'CREATE TABLE IF NOT EXISTS core.orders_enriched',
        '-- contract: true\nCREATE TABLE IF NOT EXISTS core.orders_enriched',
      )
      .replace('revenue DECIMAL(14, 2), price_delta DECIMAL(14, 2)\n', 'revenue DECIMAL(14, 2)\n')
      .replace(
        'CAST(o.quantity * o.unit_price AS DECIMAL(14, 2)),\n',
        'CAST(o.quantity * o.unit_price AS DECIMAL(14, 2))\n',
      )
      .replace('    CAST(o.quantity * (o.unit_price - p.list_price) AS DECIMAL(14, 2))\n', ''),
  );
  const run = await cli(dir, days(3));
  t.equal(run.exitCode, 1);
  t.match(
    run.stdout,
    'core.orders_enriched differs from its CREATE TABLE: removed price_delta DECIMAL(14,2), and its columns are a contract relied on by 05_aggregate (nothing was changed)',
  );
});

t.test('a contract broken by an edit fails before COMMIT at the contract, naming the readers', async (t) => {
  const dir = copy('contract-file');
  writeFileSync(
    join(dir, 'sql/05_aggregate/contract.yaml'),
    '# what the ML application relies on\nmart.customer_features:\n  customer_id: BIGINT NOT NULL\n  total_revenue: DECIMAL(38, 2)\n  favourite_category: VARCHAR NOT NULL\n',
  );
  t.equal((await cli(dir, days(3))).exitCode, 0, 'the contract holds');
  edit(dir, FEATURES, (sql) =>
    sql.replace('    f.favourite_category\nFROM per_customer', '    NULL\nFROM per_customer'),
  );
  const run = await cli(dir, days(4));
  t.equal(run.exitCode, 1);
  t.match(
    run.stdout,
    /error: the contract of mart\.customer_features is broken: favourite_category is NOT NULL by contract and \d+ rows? have NULL \(relied on by publish\/01_customer_features_file\.sql, publish\/04_customer_features_pg\.sql\); the step was rolled back\n {2}at sql\/05_aggregate\/contract\.yaml:2/,
  );
  const nulls = await query(
    join(dir, DB),
    'SELECT count(*) AS n FROM mart.customer_features WHERE favourite_category IS NULL',
  );
  t.equal(Number(nulls[0].n), 0, 'nothing of it committed');
});
