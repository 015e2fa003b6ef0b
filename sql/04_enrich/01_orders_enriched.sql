-- ducksteps: incremental
-- One wide row per clean order of this batch: revenue, date parts, customer and product attributes.
CREATE TABLE IF NOT EXISTS core.orders_enriched (
    batch_id INTEGER, order_id BIGINT, order_date DATE, order_year BIGINT, order_month BIGINT,
    order_dow BIGINT, is_weekend BOOLEAN, customer_id BIGINT, country VARCHAR, product_id BIGINT,
    category VARCHAR, channel VARCHAR, quantity INTEGER, unit_price DECIMAL(12, 2),
    revenue DECIMAL(14, 2), price_delta DECIMAL(14, 2)
);
{% if batch.full_refresh %}
DELETE FROM core.orders_enriched;
{% endif %}

INSERT INTO core.orders_enriched
SELECT
    o.batch_id,
    o.order_id,
    o.order_date,
    year(o.order_date),
    month(o.order_date),
    isodow(o.order_date),
    isodow(o.order_date) >= 6,
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
JOIN core.customers AS c USING (customer_id)
JOIN core.products AS p USING (product_id)
WHERE o.batch_id = {{ batch.id }};
