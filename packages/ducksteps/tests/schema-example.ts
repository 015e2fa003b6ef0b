// The example for the schema-change tests (schema-changes, schema-refresh, schema-contracts): a base warehouse
// of two batches (day 1, day 2), copies of it to change, the edits of 04_enrich, and a reference built from
// scratch with the new column over days 1-3. Each file builds its own (tap runs files at once).
import type { Test } from 'tap';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, EXAMPLE_TABLES, exampleCopy, exampleDifferences, query } from './helpers.js';
import { openDatabase } from '../lib/engines/duckdb/database.js';

export const days = (n: number) => ['--var', 'orders=3000', '--var', `days=${n}`];
export const ENRICH = 'sql/04_enrich/01_orders_enriched.sql';
export const FEATURES = 'sql/05_aggregate/02_customer_features.sql';
export const DB = 'data/warehouse.duckdb';

export function edit(dir: string, file: string, change: (sql: string) => string): void {
  const before = readFileSync(join(dir, file), 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing`);
  writeFileSync(join(dir, file), after);
}

/** 04_enrich with a new last column, discount, declared and filled. */
export const withDiscount = (sql: string) =>
  sql
    .replace('price_delta DECIMAL(14, 2)\n', 'price_delta DECIMAL(14, 2), discount DECIMAL(14, 2)\n')
    .replace(
      'CAST(o.quantity * (o.unit_price - p.list_price) AS DECIMAL(14, 2))\n',
      'CAST(o.quantity * (o.unit_price - p.list_price) AS DECIMAL(14, 2)),\n    CAST(o.quantity * greatest(p.list_price - o.unit_price, 0) AS DECIMAL(14, 2))\n',
    );
export const policy = (value: string) => (sql: string) =>
  sql.replace('-- ducksteps: incremental\n', `-- ducksteps: incremental\n-- ducksteps: on_schema_change = ${value}\n`);

export const columnsOf = async (dir: string, table: string) =>
  (
    await query(
      join(dir, DB),
      `SELECT column_name AS c, data_type AS t FROM duckdb_columns() WHERE schema_name || '.' || table_name = '${table}' ORDER BY column_index`,
    )
  ).map((r) => `${r.c} ${r.t}`);
export const committed = async (dir: string) =>
  (await query(join(dir, DB), 'SELECT step, batch_id, run_id FROM ducksteps.step_batches ORDER BY step, batch_id')).map(
    (r) => `${r.step} ${r.batch_id} ${r.run_id}`,
  );

/** Rows of each example table in one warehouse and not the other, both ways, leaving out `skip` columns. */
export async function differences(a: string, b: string, skip: readonly string[] = []): Promise<Record<string, number>> {
  const db = await openDatabase(':memory:');
  try {
    await db.run(`ATTACH '${a}' AS a (READ_ONLY)`);
    await db.run(`ATTACH '${b}' AS b (READ_ONLY)`);
    if (skip.length === 0) return await exampleDifferences(db);
    const out: Record<string, number> = {};
    const cols = `COLUMNS(c -> c NOT IN ('batch_id', 'source_row', ${skip.map((s) => `'${s}'`).join(', ')}))`;
    for (const table of EXAMPLE_TABLES) {
      const sql = `SELECT count(*) AS n FROM ((SELECT ${cols} FROM a.${table} EXCEPT ALL SELECT ${cols} FROM b.${table})
        UNION ALL (SELECT ${cols} FROM b.${table} EXCEPT ALL SELECT ${cols} FROM a.${table}))`;
      out[table] = Number((await db.query(sql)).rows[0].n);
    }
    return out;
  } finally {
    db.close();
  }
}
export const none = Object.fromEntries(EXAMPLE_TABLES.map((name) => [name, 0]));

/** Without the unit tests before each run (they would take 04_enrich's new types too): the runs stay short. */
function withoutUnitTests(dir: string): void {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { ducksteps: Record<string, unknown> };
  pkg.ducksteps.unitTests = false;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
}

/** The base warehouse (days 1 and 2 as batches 1 and 2), `copy(name)` of it, and with `reference` the example
 * with discount built from scratch over days 1-3; built before the tests of `t`. */
export function schemaExample(t: Test, options: { reference?: boolean } = {}) {
  const root = t.testdir();
  const base = exampleCopy(root, 'base');
  const reference = exampleCopy(root, 'reference');
  t.before(async () => {
    for (const dir of [base, reference]) withoutUnitTests(dir);
    if ((await cli(base, [...days(2), '--batch-size', '1'])).exitCode !== 0) throw new Error('the base build failed');
    if (!options.reference) return;
    edit(reference, ENRICH, withDiscount);
    if ((await cli(reference, days(3))).exitCode !== 0) throw new Error('the reference build failed');
  });
  const copy = (name: string) => {
    const dir = join(root, name);
    cpSync(base, dir, { recursive: true });
    return dir;
  };
  return { base, reference, copy };
}
