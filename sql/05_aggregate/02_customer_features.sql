-- Per-customer features for the churn / lifetime-value model, as of the last order date in the data.
-- Only the customers this batch touched are recomputed (from all their orders); recency is then brought
-- up to the new as-of date for everyone. Every feature is exact and tie-safe (no floating-point sums,
-- ties broken by name), so the same input gives the same table whatever the batches and thread count.
-- Each part is its own statement with a plain GROUP BY (no DISTINCT aggregates), so one large aggregate
-- runs at a time and it can spill to disk: this is what keeps 50M orders within --memory-limit 1GB.
CREATE TABLE IF NOT EXISTS mart.customer_features (
    customer_id BIGINT, country VARCHAR, orders BIGINT, units HUGEINT, total_revenue DECIMAL(38, 2),
    avg_order_value DECIMAL(14, 2), first_order_date DATE, last_order_date DATE, recency_days BIGINT,
    distinct_products BIGINT, weekend_share DOUBLE, app_share DOUBLE, favourite_category VARCHAR
);
{% if batch.full_refresh %}
DELETE FROM mart.customer_features;
{% set scope = "" %}
{% else %}
{% set scope = "WHERE customer_id IN (SELECT customer_id FROM affected_customers)" %}
{% endif %}

CREATE OR REPLACE TEMP TABLE affected_customers AS
SELECT DISTINCT customer_id FROM core.orders_enriched WHERE batch_id = {{ batch.id }};

CREATE OR REPLACE TEMP TABLE per_customer AS
SELECT
    customer_id,
    any_value(country) AS country,
    count(*) AS orders,
    sum(quantity) AS units,
    sum(revenue) AS total_revenue,
    min(order_date) AS first_order_date,
    max(order_date) AS last_order_date,
    count(*) FILTER (WHERE is_weekend) AS weekend_orders,
    count(*) FILTER (WHERE channel = 'app') AS app_orders
FROM core.orders_enriched
{{ scope }}
GROUP BY customer_id;

CREATE OR REPLACE TEMP TABLE per_product AS
SELECT customer_id, count(*) AS distinct_products
FROM (SELECT customer_id, product_id FROM core.orders_enriched {{ scope }} GROUP BY ALL)
GROUP BY customer_id;

-- Highest revenue wins, ties go to the first name; a struct key keeps one value per group in memory.
CREATE OR REPLACE TEMP TABLE favourite AS
SELECT customer_id, arg_min(category, (-revenue, category)) AS favourite_category
FROM (SELECT customer_id, category, sum(revenue) AS revenue FROM core.orders_enriched {{ scope }} GROUP BY ALL)
GROUP BY customer_id;

DELETE FROM mart.customer_features WHERE customer_id IN (SELECT customer_id FROM per_customer);

INSERT INTO mart.customer_features
SELECT
    c.customer_id,
    c.country,
    c.orders,
    c.units,
    c.total_revenue,
    CAST(c.total_revenue / c.orders AS DECIMAL(14, 2)),
    c.first_order_date,
    c.last_order_date,
    NULL,
    p.distinct_products,
    round(c.weekend_orders / c.orders, 4),
    round(c.app_orders / c.orders, 4),
    f.favourite_category
FROM per_customer AS c
JOIN per_product AS p USING (customer_id)
JOIN favourite AS f USING (customer_id);

-- The as-of date moves with every new day: recency for every customer, not only the ones recomputed.
UPDATE mart.customer_features
SET recency_days = (SELECT max(last_order_date) FROM mart.customer_features) - last_order_date;
