// The "small" case: dbt's jaffle shop (3 seeds, 3 staging views, 2 mart tables, 20 tests) written three
// ways from one description: a dbt project (as jaffle_shop_duckdb lays it out), a SQLMesh project (SEED,
// VIEW and FULL models with audits) and a ducksteps port (3 steps: seeds, staging, marts; 20 assertions).
// The model SQL below is written for this bench from what the jaffle shop computes, not copied.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { jaffleSeeds } from './seeds.js';

export const write = (file: string, text: string) => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
};

type Ref = (model: string) => string;
const METHODS = ['credit_card', 'coupon', 'bank_transfer', 'gift_card'];
const STATUSES = ['placed', 'shipped', 'completed', 'return_pending', 'returned'];

const SEED_TYPES: Record<string, Record<string, string>> = {
  raw_customers: { id: 'INTEGER', first_name: 'VARCHAR', last_name: 'VARCHAR' },
  raw_orders: { id: 'INTEGER', user_id: 'INTEGER', order_date: 'DATE', status: 'VARCHAR' },
  raw_payments: { id: 'INTEGER', order_id: 'INTEGER', payment_method: 'VARCHAR', amount: 'INTEGER' },
};

const STAGING: Record<string, (ref: Ref) => string> = {
  stg_customers: (ref) => `select id as customer_id, first_name, last_name\nfrom ${ref('raw_customers')}`,
  stg_orders: (ref) => `select id as order_id, user_id as customer_id, order_date, status\nfrom ${ref('raw_orders')}`,
  // amounts are stored in cents
  stg_payments: (ref) =>
    `select id as payment_id, order_id, payment_method, amount / 100 as amount\nfrom ${ref('raw_payments')}`,
};

const MARTS: Record<string, (ref: Ref) => string> = {
  customers: (ref) => `with per_customer_orders as (
    select customer_id, min(order_date) as first_order, max(order_date) as most_recent_order, count(order_id) as number_of_orders
    from ${ref('stg_orders')}
    group by customer_id
),
per_customer_payments as (
    select o.customer_id, sum(p.amount) as total_amount
    from ${ref('stg_payments')} as p
    left join ${ref('stg_orders')} as o on p.order_id = o.order_id
    group by o.customer_id
)
select c.customer_id, c.first_name, c.last_name, co.first_order, co.most_recent_order, co.number_of_orders,
       cp.total_amount as customer_lifetime_value
from ${ref('stg_customers')} as c
left join per_customer_orders as co on c.customer_id = co.customer_id
left join per_customer_payments as cp on c.customer_id = cp.customer_id`,
  orders: (ref) => `with per_order as (
    select order_id,
${METHODS.map((m) => `        sum(case when payment_method = '${m}' then amount else 0 end) as ${m}_amount,`).join('\n')}
        sum(amount) as total_amount
    from ${ref('stg_payments')}
    group by order_id
)
select o.order_id, o.customer_id, o.order_date, o.status,
${METHODS.map((m) => `       p.${m}_amount,`).join('\n')}
       p.total_amount as amount
from ${ref('stg_orders')} as o
left join per_order as p on o.order_id = p.order_id`,
};

/** The 20 tests: [model, column, kind, argument]. */
type Test = readonly [
  string,
  string,
  'unique' | 'not_null' | 'accepted_values' | 'relationships',
  (readonly string[] | string)?,
];
const TESTS: readonly Test[] = [
  ['stg_customers', 'customer_id', 'unique'],
  ['stg_customers', 'customer_id', 'not_null'],
  ['stg_orders', 'order_id', 'unique'],
  ['stg_orders', 'order_id', 'not_null'],
  ['stg_orders', 'status', 'accepted_values', STATUSES],
  ['stg_payments', 'payment_id', 'unique'],
  ['stg_payments', 'payment_id', 'not_null'],
  ['stg_payments', 'payment_method', 'accepted_values', METHODS],
  ['customers', 'customer_id', 'unique'],
  ['customers', 'customer_id', 'not_null'],
  ['orders', 'order_id', 'unique'],
  ['orders', 'order_id', 'not_null'],
  ['orders', 'customer_id', 'not_null'],
  ['orders', 'customer_id', 'relationships', 'customers'],
  ['orders', 'status', 'accepted_values', STATUSES],
  ['orders', 'amount', 'not_null'],
  ...METHODS.map((m): Test => ['orders', `${m}_amount`, 'not_null']),
];

export const JAFFLE_TABLES = [
  'raw_customers',
  'raw_orders',
  'raw_payments',
  ...Object.keys(STAGING),
  ...Object.keys(MARTS),
];
const quote = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');

/** dbt: dbt_project.yml, profiles.yml (threads = cores), seeds with their column types, models, schema.yml. */
export function dbtJaffle(dir: string, threads: number): void {
  const seeds = jaffleSeeds();
  for (const [name, csv] of Object.entries(seeds)) write(join(dir, 'seeds', `${name}.csv`), csv);
  const seedTypes = Object.entries(SEED_TYPES)
    .map(
      ([s, cols]) =>
        `    ${s}:\n      +column_types: {${Object.entries(cols)
          .map(([c, t]) => `${c}: ${t.toLowerCase()}`)
          .join(', ')}}`,
    )
    .join('\n');
  write(
    join(dir, 'dbt_project.yml'),
    `name: jaffle_shop\nconfig-version: 2\nversion: '0.1'\nprofile: jaffle_shop\nmodel-paths: [models]\nseed-paths: [seeds]\n\nseeds:\n  jaffle_shop:\n${seedTypes}\n\nmodels:\n  jaffle_shop:\n    +materialized: table\n    staging:\n      +materialized: view\n`,
  );
  write(
    join(dir, 'profiles.yml'),
    `jaffle_shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: jaffle_shop.duckdb\n      threads: ${threads}\n`,
  );
  const ref: Ref = (m) => `{{ ref('${m}') }}`;
  for (const [name, sql] of Object.entries(STAGING))
    write(join(dir, 'models', 'staging', `${name}.sql`), `${sql(ref)}\n`);
  for (const [name, sql] of Object.entries(MARTS)) write(join(dir, 'models', `${name}.sql`), `${sql(ref)}\n`);
  const yml = (models: string[]) =>
    `version: 2\n\nmodels:\n${models
      .map((m) => {
        const cols = [...new Set(TESTS.filter((t) => t[0] === m).map((t) => t[1]))];
        return `  - name: ${m}\n    columns:\n${cols
          .map(
            (c) =>
              `      - name: ${c}\n        data_tests:\n${TESTS.filter((t) => t[0] === m && t[1] === c)
                .map(([, , kind, arg]) =>
                  kind === 'accepted_values'
                    ? `          - accepted_values:\n              arguments:\n                values: [${quote(arg as string[])}]`
                    : kind === 'relationships'
                      ? `          - relationships:\n              arguments:\n                to: ref('${arg}')\n                field: ${c}`
                      : `          - ${kind}`,
                )
                .join('\n')}`,
          )
          .join('\n')}`;
      })
      .join('\n')}\n`;
  write(join(dir, 'models', 'staging', 'schema.yml'), yml(Object.keys(STAGING)));
  write(join(dir, 'models', 'schema.yml'), yml(Object.keys(MARTS)));
}

/** SQLMesh: SEED models for the CSVs, VIEW staging models, FULL marts; the tests as audits (built-in
 * not_null, unique_values, accepted_values; a project audit for relationships, which has no built-in). */
export function sqlmeshJaffle(dir: string, threads: number): void {
  const seeds = jaffleSeeds();
  sqlmeshConfig(dir, threads, 'db.duckdb');
  const ref: Ref = (m) => `jaffle.${m}`;
  const audits = (m: string) => {
    const list = TESTS.filter((t) => t[0] === m).map(([, c, kind, arg]) =>
      kind === 'unique'
        ? `unique_values(columns := (${c}))`
        : kind === 'not_null'
          ? `not_null(columns := (${c}))`
          : kind === 'accepted_values'
            ? `accepted_values(column := ${c}, is_in := (${quote(arg as string[])}))`
            : `relationships(column := ${c}, to_model := ${ref(arg as string)}, to_column := ${c})`,
    );
    return list.length ? `,\n  audits (\n    ${list.join(',\n    ')}\n  )` : '';
  };
  for (const [name, csv] of Object.entries(seeds)) {
    write(join(dir, 'seeds', `${name}.csv`), csv);
    write(
      join(dir, 'models', `${name}.sql`),
      `MODEL (\n  name jaffle.${name},\n  kind SEED (path '../seeds/${name}.csv'),\n  columns (${Object.entries(
        SEED_TYPES[name],
      )
        .map(([c, t]) => `${c} ${t}`)
        .join(', ')})\n);\n`,
    );
  }
  for (const [name, sql] of Object.entries(STAGING))
    write(
      join(dir, 'models', `${name}.sql`),
      `MODEL (\n  name jaffle.${name},\n  kind VIEW${audits(name)}\n);\n\n${sql(ref)}\n`,
    );
  // depends_on: the relationships audit of orders reads customers, which must then be built first and be
  // resolved to its physical table (an audit's own references are not dependencies)
  const dependsOn = (m: string) =>
    TESTS.filter((t) => t[0] === m && t[2] === 'relationships').map((t) => ref(t[3] as string));
  for (const [name, sql] of Object.entries(MARTS))
    write(
      join(dir, 'models', `${name}.sql`),
      `MODEL (\n  name jaffle.${name},\n  kind FULL${dependsOn(name).length ? `,\n  depends_on (${dependsOn(name).join(', ')})` : ''}${audits(name)}\n);\n\n${sql(ref)}\n`,
    );
  write(
    join(dir, 'audits', 'relationships.sql'),
    `AUDIT (name relationships);\nSELECT child.@column FROM @this_model AS child\nWHERE child.@column IS NOT NULL AND child.@column NOT IN (SELECT parent.@to_column FROM @to_model AS parent WHERE parent.@to_column IS NOT NULL)\n`,
  );
}

/** config.yaml for a local DuckDB file, named so that its catalog is not also a schema name (state in the same file, SQLMesh's default for DuckDB). */
export function sqlmeshConfig(dir: string, threads: number, db: string, extra = ''): void {
  write(
    join(dir, 'config.yaml'),
    `gateways:\n  local:\n    connection:\n      type: duckdb\n      database: ${db}\n      concurrent_tasks: ${threads}\ndefault_gateway: local\nmodel_defaults:\n  dialect: duckdb\n  start: '2024-01-01'\n${extra}`,
  );
}

/** ducksteps: sql/01_seeds (read_csv with the same column types), 02_staging (views), 03_marts (tables);
 * tests/*.sql with the built-in assertion macros, each gating the step that builds its table. */
export function duckstepsJaffle(dir: string): void {
  const seeds = jaffleSeeds();
  const ref: Ref = (m) => m;
  write(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'jaffle', private: true, type: 'module', ducksteps: {} }, null, 2),
  );
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (const [name, csv] of Object.entries(seeds)) {
    write(join(dir, 'seeds', `${name}.csv`), csv);
    const cols = Object.entries(SEED_TYPES[name])
      .map(([c, t]) => `'${c}': '${t}'`)
      .join(', ');
    write(
      join(dir, 'sql', '01_seeds', `${name}.sql`),
      `CREATE OR REPLACE TABLE ${name} AS\nSELECT * FROM read_csv('seeds/${name}.csv', header = true, columns = {${cols}});\n`,
    );
  }
  for (const [name, sql] of Object.entries(STAGING))
    write(join(dir, 'sql', '02_staging', `${name}.sql`), `CREATE OR REPLACE VIEW ${name} AS\n${sql(ref)};\n`);
  for (const [name, sql] of Object.entries(MARTS))
    write(join(dir, 'sql', '03_marts', `${name}.sql`), `CREATE OR REPLACE TABLE ${name} AS\n${sql(ref)};\n`);
  TESTS.forEach(([m, c, kind, arg], i) =>
    write(
      join(dir, 'tests', `${String(i + 1).padStart(2, '0')}_${kind}_${m}_${c}.sql`),
      kind === 'accepted_values'
        ? `{{ accepted_values('${m}', '${c}', [${quote(arg as string[])}]) }}\n`
        : kind === 'relationships'
          ? `{{ relationships('${m}', '${c}', '${arg}', '${c}') }}\n`
          : `{{ ${kind}('${m}', '${c}') }}\n`,
    ),
  );
}
