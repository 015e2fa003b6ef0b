-- Split: this batch's trusted rows go to core.orders, the rest (and its malformed lines) to
-- core.rejected_orders. A full refresh empties both first.
CREATE TABLE IF NOT EXISTS core.orders (
    batch_id INTEGER, order_id BIGINT, customer_id BIGINT, product_id BIGINT, order_date DATE,
    quantity INTEGER, unit_price DECIMAL(12, 2), channel VARCHAR, source_file VARCHAR, source_row BIGINT
);
CREATE TABLE IF NOT EXISTS core.rejected_orders (
    batch_id INTEGER, source_file VARCHAR, source_row BIGINT, order_id VARCHAR, order_date VARCHAR,
    reject_reason VARCHAR, raw_line VARCHAR
);
{% if batch.full_refresh %}
DELETE FROM core.orders;
DELETE FROM core.rejected_orders;
{% endif %}

INSERT INTO core.orders
SELECT {{ batch.id }}, order_id, customer_id, product_id, order_date, quantity, unit_price, channel, source_file, source_row
FROM orders_checked
WHERE reject_reason IS NULL;

INSERT INTO core.rejected_orders
SELECT {{ batch.id }}, source_file, source_row, raw_order_id, raw_order_date, reject_reason, NULL
FROM orders_checked
WHERE reject_reason IS NOT NULL
UNION ALL
SELECT {{ batch.id }}, source_file, NULL, NULL, NULL, 'malformed_row: ' || lower(error_type), raw_line
FROM raw.orders_malformed
WHERE batch_id = {{ batch.id }};
