-- ducksteps: incremental
-- Type this batch's raw orders and give every row that cannot be trusted one reason, the first that
-- applies. An order id seen on an earlier line (earlier in this batch, or in any earlier batch) is a
-- duplicate: the same rule whether the days arrive one at a time or all at once.
-- Row order inside these tables does not matter (exports sort explicitly); letting DuckDB drop it keeps
-- this step's peak memory at 50M orders under --memory-limit 1GB.
SET preserve_insertion_order = false;
CREATE SCHEMA IF NOT EXISTS core;

CREATE OR REPLACE TEMP TABLE orders_checked AS
WITH batch_rows AS (
    SELECT * FROM raw.orders WHERE batch_id = {{ batch.id }}
),
first_seen AS (
    -- The first line of each order id in this batch; an aggregate and a join (not a window), so it spills.
    SELECT order_id, min(source_row) AS first_row FROM batch_rows GROUP BY order_id
),
seen_before AS (
    -- only this batch's ids are looked up in the history (a semi-join: the small side is the batch)
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
LEFT JOIN (SELECT DISTINCT TRY_CAST(customer_id AS BIGINT) AS customer_id FROM raw.customers) AS c USING (customer_id)
LEFT JOIN (SELECT DISTINCT TRY_CAST(product_id AS BIGINT) AS product_id FROM raw.products) AS p USING (product_id);
