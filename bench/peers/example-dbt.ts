// The example pipeline (sql/02_extract … 05_aggregate and tests/) ported to dbt: the same SQL per table,
// as incremental models. Where the example uses its batch ledger (batch.id, batch.files), the port uses
// what dbt offers: run_query lists the landing files not yet in raw.orders, and every incremental model
// carries batch_id and processes the rows with a batch_id above its own maximum. The temp tables of the
// example's steps become models (core.orders_checked is a table: an ephemeral model would be computed
// twice); the malformed lines, a side effect of read_csv's store_rejects in the same connection, are saved
// by a post-hook of raw_orders; customer_features' recency update is a post-hook.
import { join } from 'node:path';
import { write } from './jaffle.js';
import { ACCEPTED, ORDER_COLUMNS } from './example-sql.js';

export function dbtExample(dir: string, threads: number): void {
  const w = (file: string, text: string) => write(join(dir, file), text);
  w(
    'dbt_project.yml',
    `name: example\nconfig-version: 2\nversion: '0.1'\nprofile: example\nmodel-paths: [models]\nmacro-paths: [macros]\ntest-paths: [tests]\n\nmodels:\n  example:\n    +materialized: table\n`,
  );
  w(
    'profiles.yml',
    `example:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: example.duckdb\n      threads: ${threads}\n`,
  );
  // custom schemas as they are (raw, core, mart), not prefixed with the target schema
  w(
    'macros/generate_schema_name.sql',
    `{% macro generate_schema_name(custom_schema_name, node) -%}\n  {{ custom_schema_name if custom_schema_name else target.schema }}\n{%- endmacro %}\n`,
  );
  w(
    'macros/batches.sql',
    `{# The landing files raw.orders has not loaded yet (all of them on the first run), as quoted SQL strings
   separated by commas ('' when there is none). #}
{% macro new_order_files() %}
  {% if not execute %}{{ return('') }}{% endif %}
  {% set query %}
    SELECT coalesce(string_agg('''' || file || '''', ', ' ORDER BY file), '') FROM glob('data/landing/orders/*.csv')
    {% if is_incremental() %}WHERE parse_filename(file) NOT IN (SELECT DISTINCT source_file FROM {{ this }}){% endif %}
  {% endset %}
  {{ return(run_query(query).columns[0].values()[0]) }}
{% endmacro %}

{# The highest batch this incremental model has processed (0 before its first run). #}
{% macro done_batch() %}{% if is_incremental() %}(SELECT coalesce(max(batch_id), 0) FROM {{ this }}){% else %}0{% endif %}{% endmacro %}

{# raw_orders' post-hook: the malformed lines read_csv set aside (its rejects tables live in this connection). #}
{% macro save_malformed() %}
CREATE TABLE IF NOT EXISTS raw.orders_malformed (
    batch_id INTEGER, source_file VARCHAR, source_line BIGINT, error_type VARCHAR, raw_line VARCHAR, error_message VARCHAR
);
{% if execute and run_query("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'orders_rejects'").columns[0].values()[0] > 0 %}
INSERT INTO raw.orders_malformed
SELECT (SELECT max(batch_id) FROM {{ this }}), parse_filename(s.file_path), r.line,
       arg_min(r.error_type, r.column_idx), arg_min(r.csv_line, r.column_idx), arg_min(r.error_message, r.column_idx)
FROM orders_rejects AS r
JOIN orders_reject_scans AS s USING (scan_id, file_id)
GROUP BY s.file_path, r.line;
DROP TABLE orders_rejects;
DROP TABLE orders_reject_scans;
{% endif %}
{% endmacro %}
`,
  );
  w(
    'models/raw/raw_orders.sql',
    `{{ config(materialized='incremental', schema='raw', alias='orders', post_hook="{{ save_malformed() }}") }}
{% set files = new_order_files() %}
{% if files %}
SELECT {% if is_incremental() %}(SELECT coalesce(max(batch_id), 0) + 1 FROM {{ this }}){% else %}1{% endif %}::INTEGER AS batch_id,
       parse_filename(filename) AS source_file, row_number() OVER () AS source_row,
       ${ORDER_COLUMNS.join(', ')}
FROM read_csv([{{ files }}], header = true, all_varchar = true, filename = true,
              store_rejects = true, rejects_table = 'orders_rejects', rejects_scan = 'orders_reject_scans')
{% else %}
SELECT NULL::INTEGER AS batch_id, NULL::VARCHAR AS source_file, NULL::BIGINT AS source_row,
       ${ORDER_COLUMNS.map((c) => `NULL::VARCHAR AS ${c}`).join(', ')}
WHERE false
{% endif %}
`,
  );
  for (const t of ['customers', 'products']) {
    w(
      `models/raw/raw_${t}.sql`,
      `{{ config(schema='raw', alias='${t}') }}\nSELECT row_number() OVER () AS source_row, *\nFROM read_csv('data/landing/${t}.csv', header = true, all_varchar = true)\n`,
    );
  }
  w(
    'models/core/orders_checked.sql',
    `{{ config(materialized='incremental', schema='core',
    pre_hook="SET preserve_insertion_order = false", post_hook="SET preserve_insertion_order = true") }}
WITH batch_rows AS (
    SELECT * FROM {{ ref('raw_orders') }} WHERE batch_id > {{ done_batch() }}
),
first_seen AS (
    SELECT order_id, min(source_row) AS first_row FROM batch_rows GROUP BY order_id
),
seen_before AS (
    SELECT DISTINCT order_id FROM {{ ref('raw_orders') }}
    WHERE batch_id <= {{ done_batch() }} AND order_id IN (SELECT order_id FROM batch_rows)
),
typed AS (
    SELECT
        o.batch_id,
        o.source_file,
        o.source_row,
        o.order_id AS raw_order_id,
        TRY_CAST(o.order_id AS BIGINT) AS order_id,
        TRY_CAST(o.customer_id AS BIGINT) AS customer_id,
        TRY_CAST(o.product_id AS BIGINT) AS product_id,
        TRY_CAST(try_strptime(o.order_date, '%Y-%m-%d') AS DATE) AS order_date,
        TRY_CAST(o.quantity AS INTEGER) AS quantity,
        TRY_CAST(o.unit_price AS DECIMAL(12, 2)) AS unit_price,
        lower(trim(o.channel)) AS channel,
        o.order_date AS raw_order_date,
        CASE WHEN b.order_id IS NULL AND o.source_row = f.first_row THEN 1 ELSE 2 END AS occurrence
    FROM batch_rows AS o
    LEFT JOIN first_seen AS f ON f.order_id IS NOT DISTINCT FROM o.order_id
    LEFT JOIN seen_before AS b ON b.order_id = o.order_id
)
SELECT
    t.*,
    CASE
        WHEN t.order_id IS NULL THEN 'invalid_order_id'
        WHEN t.occurrence > 1 THEN 'duplicate_order_id'
        WHEN t.order_date IS NULL THEN 'invalid_order_date'
        WHEN t.quantity IS NULL OR t.quantity <= 0 THEN 'non_positive_quantity'
        WHEN t.unit_price IS NULL THEN 'missing_unit_price'
        WHEN t.unit_price < 0 THEN 'negative_unit_price'
        WHEN c.customer_id IS NULL THEN 'unknown_customer'
        WHEN p.product_id IS NULL THEN 'unknown_product'
    END AS reject_reason
FROM typed AS t
LEFT JOIN (SELECT DISTINCT TRY_CAST(customer_id AS BIGINT) AS customer_id FROM {{ ref('raw_customers') }}) AS c USING (customer_id)
LEFT JOIN (SELECT DISTINCT TRY_CAST(product_id AS BIGINT) AS product_id FROM {{ ref('raw_products') }}) AS p USING (product_id)
`,
  );
  w(
    'models/core/core_orders.sql',
    `{{ config(materialized='incremental', schema='core', alias='orders') }}
SELECT batch_id, order_id, customer_id, product_id, order_date, quantity, unit_price, channel, source_file, source_row
FROM {{ ref('orders_checked') }}
WHERE reject_reason IS NULL AND batch_id > {{ done_batch() }}
`,
  );
  w(
    'models/core/rejected_orders.sql',
    `{{ config(materialized='incremental', schema='core') }}
-- depends_on: {{ ref('raw_orders') }}
SELECT batch_id, source_file, source_row, raw_order_id AS order_id, raw_order_date AS order_date, reject_reason, NULL::VARCHAR AS raw_line
FROM {{ ref('orders_checked') }}
WHERE reject_reason IS NOT NULL AND batch_id > {{ done_batch() }}
UNION ALL
SELECT batch_id, source_file, NULL, NULL, NULL, 'malformed_row: ' || lower(error_type), raw_line
FROM raw.orders_malformed
WHERE batch_id > {{ done_batch() }}
`,
  );
  w(
    'models/core/core_customers.sql',
    `{{ config(schema='core', alias='customers') }}
SELECT
    CAST(customer_id AS BIGINT) AS customer_id,
    trim(name) AS name,
    lower(trim(email)) AS email,
    upper(trim(country)) AS country,
    CAST(signup_date AS DATE) AS signup_date
FROM {{ ref('raw_customers') }}
QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY source_row) = 1
ORDER BY customer_id
`,
  );
  w(
    'models/core/core_products.sql',
    `{{ config(schema='core', alias='products') }}
SELECT
    CAST(product_id AS BIGINT) AS product_id,
    sku,
    name,
    lower(trim(category)) AS category,
    CAST(list_price AS DECIMAL(12, 2)) AS list_price
FROM {{ ref('raw_products') }}
QUALIFY row_number() OVER (PARTITION BY product_id ORDER BY source_row) = 1
ORDER BY product_id
`,
  );
  w(
    'models/core/orders_enriched.sql',
    `{{ config(materialized='incremental', schema='core') }}
SELECT
    o.batch_id,
    o.order_id,
    o.order_date,
    year(o.order_date) AS order_year,
    month(o.order_date) AS order_month,
    isodow(o.order_date) AS order_dow,
    isodow(o.order_date) >= 6 AS is_weekend,
    o.customer_id,
    c.country,
    o.product_id,
    p.category,
    o.channel,
    o.quantity,
    o.unit_price,
    CAST(o.quantity * o.unit_price AS DECIMAL(14, 2)) AS revenue,
    CAST(o.quantity * (o.unit_price - p.list_price) AS DECIMAL(14, 2)) AS price_delta
FROM {{ ref('core_orders') }} AS o
JOIN {{ ref('core_customers') }} AS c USING (customer_id)
JOIN {{ ref('core_products') }} AS p USING (product_id)
WHERE o.batch_id > {{ done_batch() }}
`,
  );
  w(
    'models/mart/daily_revenue.sql',
    `{{ config(materialized='incremental', schema='mart', unique_key='order_date', incremental_strategy='delete+insert') }}
-- only the dates the new batches touched are recomputed, from every order of those dates
SELECT
    order_date,
    count(*) AS orders,
    sum(quantity) AS units,
    sum(revenue) AS revenue,
    count(DISTINCT customer_id) AS customers,
    max(batch_id) AS batch_id
FROM {{ ref('orders_enriched') }}
{% if is_incremental() %}
WHERE order_date IN (SELECT DISTINCT order_date FROM {{ ref('orders_enriched') }} WHERE batch_id > {{ done_batch() }})
{% endif %}
GROUP BY order_date
`,
  );
  w(
    'models/mart/customer_features.sql',
    `{{ config(materialized='incremental', schema='mart', unique_key='customer_id', incremental_strategy='delete+insert',
    post_hook="UPDATE {{ this }} SET recency_days = (SELECT max(last_order_date) FROM {{ this }}) - last_order_date") }}
-- only the customers the new batches touched are recomputed (from all their orders); recency for everyone in the post-hook
WITH scope AS (
    SELECT * FROM {{ ref('orders_enriched') }}
    {% if is_incremental() %}
    WHERE customer_id IN (SELECT DISTINCT customer_id FROM {{ ref('orders_enriched') }} WHERE batch_id > {{ done_batch() }})
    {% endif %}
),
per_customer AS (
    SELECT
        customer_id,
        any_value(country) AS country,
        count(*) AS orders,
        sum(quantity) AS units,
        sum(revenue) AS total_revenue,
        min(order_date) AS first_order_date,
        max(order_date) AS last_order_date,
        count(*) FILTER (WHERE is_weekend) AS weekend_orders,
        count(*) FILTER (WHERE channel = 'app') AS app_orders,
        max(batch_id) AS batch_id
    FROM scope
    GROUP BY customer_id
),
per_product AS (
    SELECT customer_id, count(*) AS distinct_products
    FROM (SELECT customer_id, product_id FROM scope GROUP BY ALL)
    GROUP BY customer_id
),
favourite AS (
    SELECT customer_id, arg_min(category, (-revenue, category)) AS favourite_category
    FROM (SELECT customer_id, category, sum(revenue) AS revenue FROM scope GROUP BY ALL)
    GROUP BY customer_id
)
SELECT
    c.customer_id,
    c.country,
    c.orders,
    CAST(c.units AS HUGEINT) AS units,
    CAST(c.total_revenue AS DECIMAL(38, 2)) AS total_revenue,
    CAST(c.total_revenue / c.orders AS DECIMAL(14, 2)) AS avg_order_value,
    c.first_order_date,
    c.last_order_date,
    NULL::BIGINT AS recency_days,
    p.distinct_products,
    round(c.weekend_orders / c.orders, 4) AS weekend_share,
    round(c.app_orders / c.orders, 4) AS app_share,
    f.favourite_category,
    c.batch_id
FROM per_customer AS c
JOIN per_product AS p USING (customer_id)
JOIN favourite AS f USING (customer_id)
`,
  );
  // the example's tests/, as dbt tests: generic ones in schema.yml, the rest singular
  const gen = (model: string, col: string, tests: string[]) => ({ model, col, tests });
  const schema = [
    gen('core_orders', 'order_id', ['unique', 'not_null']),
    gen('core_orders', 'customer_id', [
      'not_null',
      `relationships:\n              arguments:\n                to: ref('core_customers')\n                field: customer_id`,
    ]),
    gen('core_orders', 'product_id', [
      'not_null',
      `relationships:\n              arguments:\n                to: ref('core_products')\n                field: product_id`,
    ]),
    gen('core_orders', 'order_date', ['not_null']),
    gen('core_orders', 'channel', [
      `accepted_values:\n              arguments:\n                values: [${ACCEPTED.channel.map((v) => `'${v}'`).join(', ')}]`,
    ]),
    gen('core_customers', 'customer_id', ['unique']),
    gen('core_customers', 'country', [
      `accepted_values:\n              arguments:\n                values: [${ACCEPTED.country.map((v) => `'${v}'`).join(', ')}]`,
    ]),
    gen('core_products', 'product_id', ['unique']),
    gen('rejected_orders', 'reject_reason', [
      `accepted_values:\n              arguments:\n                values: [${ACCEPTED.reject_reason.map((v) => `'${v}'`).join(', ')}]`,
    ]),
    gen('customer_features', 'customer_id', ['unique']),
    gen('daily_revenue', 'order_date', ['unique']),
  ];
  const models = [...new Set(schema.map((s) => s.model))];
  w(
    'models/schema.yml',
    `version: 2\n\nmodels:\n${models
      .map(
        (m) =>
          `  - name: ${m}\n    columns:\n${schema
            .filter((s) => s.model === m)
            .map(
              (s) =>
                `      - name: ${s.col}\n        data_tests:\n${s.tests.map((t) => `          - ${t}`).join('\n')}`,
            )
            .join('\n')}`,
      )
      .join('\n')}\n`,
  );
  w(
    'tests/unit_price_far_from_list_price.sql',
    `{{ config(severity='warn') }}\nSELECT e.order_id, e.product_id, e.unit_price, p.list_price\nFROM {{ ref('orders_enriched') }} AS e\nJOIN {{ ref('core_products') }} AS p USING (product_id)\nWHERE e.unit_price < p.list_price / 4 OR e.unit_price > p.list_price * 4\nORDER BY e.order_id\n`,
  );
  w(
    'tests/clean_plus_rejected_equals_raw.sql',
    `-- depends_on: {{ ref('raw_orders') }}\nSELECT raw_rows, malformed_rows, clean_rows, rejected_rows\nFROM (\n    SELECT\n        (SELECT count(*) FROM {{ ref('raw_orders') }}) AS raw_rows,\n        (SELECT count(*) FROM raw.orders_malformed) AS malformed_rows,\n        (SELECT count(*) FROM {{ ref('core_orders') }}) AS clean_rows,\n        (SELECT count(*) FROM {{ ref('rejected_orders') }}) AS rejected_rows\n)\nWHERE raw_rows + malformed_rows <> clean_rows + rejected_rows\n`,
  );
  w(
    'tests/revenue_reconciles_daily.sql',
    `SELECT enriched, daily\nFROM (\n    SELECT (SELECT sum(revenue) FROM {{ ref('orders_enriched') }}) AS enriched,\n           (SELECT sum(revenue) FROM {{ ref('daily_revenue') }}) AS daily\n)\nWHERE enriched IS DISTINCT FROM daily\n`,
  );
  w(
    'tests/revenue_reconciles_customers.sql',
    `SELECT enriched, per_customer\nFROM (\n    SELECT (SELECT sum(revenue) FROM {{ ref('orders_enriched') }}) AS enriched,\n           (SELECT sum(total_revenue) FROM {{ ref('customer_features') }}) AS per_customer\n)\nWHERE enriched IS DISTINCT FROM per_customer\n`,
  );
  w(
    'tests/enriched_keeps_every_clean_order.sql',
    `SELECT o.order_id FROM {{ ref('core_orders') }} AS o ANTI JOIN {{ ref('orders_enriched') }} AS e USING (order_id)\n`,
  );
  w(
    'tests/orders_quantity_and_price_valid.sql',
    `SELECT * FROM {{ ref('core_orders') }} WHERE NOT coalesce((quantity > 0 AND unit_price >= 0), false)\n`,
  );
  w(
    'tests/customer_features_row_count.sql',
    `SELECT count(*) AS row_count FROM {{ ref('customer_features') }} HAVING count(*) < 1\n`,
  );
}
