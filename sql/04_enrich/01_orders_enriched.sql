-- One wide row per clean order: revenue, date parts, customer and product attributes.
CREATE OR REPLACE TABLE core.orders_enriched AS
SELECT
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
FROM core.orders AS o
JOIN core.customers AS c USING (customer_id)
JOIN core.products AS p USING (product_id);
