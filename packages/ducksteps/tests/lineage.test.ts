// Lineage from DuckDB's own parser (json_serialize_sql): CTEs, quoted and schema-qualified names, comma
// joins and subqueries, with the text scan only where the parser cannot serialise a statement.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project } from './helpers.js';

t.test('docs finds what each step reads through CTEs, quotes, schemas, comma joins and subqueries', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_base': {
        'a.sql':
          'CREATE SCHEMA IF NOT EXISTS core;\nCREATE TABLE core.orders AS SELECT 1 AS id;\nCREATE TABLE "core"."Customers" AS SELECT 1 AS id;\nCREATE TABLE blocked AS SELECT 2 AS id;\nCREATE TABLE regions AS SELECT 1 AS id;',
      },
      '02_mart': {
        'a.sql': `CREATE SCHEMA IF NOT EXISTS "Mart";
CREATE TABLE "Mart"."Top" AS
WITH a AS (SELECT * FROM core.orders), b AS (SELECT a.id FROM a JOIN "core"."Customers" AS c ON a.id IS NOT DISTINCT FROM c.id)
SELECT b.id FROM b, regions AS r WHERE b.id = r.id AND b.id NOT IN (SELECT id FROM blocked);
DELETE FROM "Mart"."Top" WHERE id IN (SELECT id FROM blocked);`,
      },
    },
  });
  const run = await cli(dir, ['docs']);
  t.equal(run.exitCode, 0, run.stderr);
  const doc = readFileSync(join(dir, 'docs/pipeline.md'), 'utf8');
  const row = doc.split('\n').find((l) => l.startsWith('| 02_mart |') && l.includes('mart.top'));
  t.ok(row, 'the tables-per-step row of 02_mart');
  t.match(
    row,
    /\| mart\.top \| blocked, core\.customers, core\.orders, regions \|/,
    'every table read, none invented (no a, b, c.id or r)',
  );
  t.match(doc, 't_core_customers --> s_02_mart');
  t.notMatch(doc, /t_a\b|t_b\b|t_c_id|t_r\b/);
  const again = await cli(dir, ['docs']);
  t.equal(again.exitCode, 0);
  t.equal(
    readFileSync(join(dir, 'docs/pipeline.md'), 'utf8'),
    doc,
    'the same from the parser cache (logs/compiled/lineage-cache.json)',
  );
});
