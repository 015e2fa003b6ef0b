-- ducksteps: incremental
-- Typing and checks, in Spark SQL (01_typed_orders.sql is the DuckDB version and says what each rule means).
-- The same rules in the same order; DuckDB's try_strptime is Spark's try_to_date, its TEMP TABLE a cached
-- temporary view (02_split.sql reads it twice, then uncaches it).
CREATE SCHEMA IF NOT EXISTS core;

CACHE TABLE orders_checked AS
WITH batch_rows AS (
    SELECT * FROM raw.orders WHERE batch_id = {{ batch.id }}
),
first_seen AS (
    SELECT order_id, min(source_row) AS first_row FROM batch_rows GROUP BY order_id
),
seen_before AS (
    SELECT DISTINCT order_id FROM raw.orders
    WHERE batch_id < {{ batch.id }} AND order_id IN (SELECT order_id FROM batch_rows)
),
typed AS (
    SELECT
        o.source_file,
        o.source_row,
        o.order_id AS raw_order_id,
        TRY_CAST(o.order_id AS BIGINT) AS order_id,
        TRY_CAST(o.customer_id AS BIGINT) AS customer_id,
        TRY_CAST(o.product_id AS BIGINT) AS product_id,
        try_to_date(o.order_date, 'yyyy-MM-dd') AS order_date,
        TRY_CAST(o.quantity AS INT) AS quantity,
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
LEFT JOIN (SELECT DISTINCT TRY_CAST(customer_id AS BIGINT) AS customer_id FROM raw.customers) AS c ON c.customer_id = t.customer_id
LEFT JOIN (SELECT DISTINCT TRY_CAST(product_id AS BIGINT) AS product_id FROM raw.products) AS p ON p.product_id = t.product_id;
