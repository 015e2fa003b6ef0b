-- ducksteps: incremental
-- One wide row per clean order of this batch, in Spark SQL (01_orders_enriched.sql is the DuckDB version);
-- DuckDB's isodow is Spark's extract(DAYOFWEEK_ISO …): Monday 1 … Sunday 7.
{% set create = 'CREATE OR REPLACE TABLE' if batch.full_refresh else 'CREATE TABLE IF NOT EXISTS' %}
{{ create }} core.orders_enriched (
    batch_id INT, order_id BIGINT, order_date DATE, order_year BIGINT, order_month BIGINT,
    order_dow BIGINT, is_weekend BOOLEAN, customer_id BIGINT, country STRING, product_id BIGINT,
    category STRING, channel STRING, quantity INT, unit_price DECIMAL(12, 2),
    revenue DECIMAL(14, 2), price_delta DECIMAL(14, 2)
);

INSERT INTO core.orders_enriched
SELECT
    o.batch_id,
    o.order_id,
    o.order_date,
    year(o.order_date),
    month(o.order_date),
    extract(DAYOFWEEK_ISO FROM o.order_date),
    extract(DAYOFWEEK_ISO FROM o.order_date) >= 6,
    o.customer_id,
    c.country,
    o.product_id,
    p.category,
    o.channel,
    o.quantity,
    o.unit_price,
    CAST(o.quantity * o.unit_price AS DECIMAL(14, 2)),
    CAST(o.quantity * (o.unit_price - p.list_price) AS DECIMAL(14, 2))
FROM core.orders AS o
JOIN core.customers AS c ON c.customer_id = o.customer_id
JOIN core.products AS p ON p.product_id = o.product_id
WHERE o.batch_id = {{ batch.id }};
