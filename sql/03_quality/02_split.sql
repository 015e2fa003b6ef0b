-- Split: trusted rows go to core.orders, the rest (and the malformed lines) to core.rejected_orders.
CREATE OR REPLACE TABLE core.orders AS
SELECT order_id, customer_id, product_id, order_date, quantity, unit_price, channel, source_row
FROM orders_checked
WHERE reject_reason IS NULL;

CREATE OR REPLACE TABLE core.rejected_orders AS
SELECT source_row, raw_order_id AS order_id, raw_order_date AS order_date, reject_reason, NULL AS raw_line
FROM orders_checked
WHERE reject_reason IS NOT NULL
UNION ALL
SELECT NULL, NULL, NULL, 'malformed_row: ' || lower(error_type), raw_line
FROM raw.orders_malformed
ORDER BY reject_reason, source_row;
