-- Split, in Spark SQL (02_split.sql is the DuckDB version): this batch's trusted rows to core.orders, the rest
-- (and its malformed lines) to core.rejected_orders. A full refresh starts both tables empty.
{% set create = 'CREATE OR REPLACE TABLE' if batch.full_refresh else 'CREATE TABLE IF NOT EXISTS' %}
{{ create }} core.orders (
    batch_id INT, order_id BIGINT, customer_id BIGINT, product_id BIGINT, order_date DATE,
    quantity INT, unit_price DECIMAL(12, 2), channel STRING, source_file STRING, source_row BIGINT
);
{{ create }} core.rejected_orders (
    batch_id INT, source_file STRING, source_row BIGINT, order_id STRING, order_date STRING,
    reject_reason STRING, raw_line STRING
);

INSERT INTO core.orders
SELECT {{ batch.id }}, order_id, customer_id, product_id, order_date, quantity, unit_price, channel, source_file, source_row
FROM orders_checked
WHERE reject_reason IS NULL;

INSERT INTO core.rejected_orders
SELECT {{ batch.id }}, source_file, source_row, raw_order_id, raw_order_date, reject_reason, CAST(NULL AS STRING)
FROM orders_checked
WHERE reject_reason IS NOT NULL
UNION ALL
SELECT {{ batch.id }}, source_file, NULL, NULL, NULL, 'malformed_row: ' || lower(error_type), raw_line
FROM raw.orders_malformed
WHERE batch_id = {{ batch.id }};

UNCACHE TABLE orders_checked;
