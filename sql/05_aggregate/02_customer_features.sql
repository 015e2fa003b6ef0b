-- Per-customer features for the churn / lifetime-value model, as of the last order date in the data.
-- Every feature is exact and tie-safe (no floating-point sums, ties broken by name), so the same input
-- gives the same bytes whatever the thread count. Each part is its own statement with a plain GROUP BY
-- (no DISTINCT aggregates), so one large aggregate runs at a time and it can spill to disk: this is what
-- keeps 50M orders within --memory-limit 1GB.
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
GROUP BY customer_id;

CREATE OR REPLACE TEMP TABLE per_product AS
SELECT customer_id, count(*) AS distinct_products
FROM (SELECT customer_id, product_id FROM core.orders_enriched GROUP BY ALL)
GROUP BY customer_id;

-- Highest revenue wins, ties go to the first name; a struct key keeps one value per group in memory.
CREATE OR REPLACE TEMP TABLE favourite AS
SELECT customer_id, arg_min(category, (-revenue, category)) AS favourite_category
FROM (SELECT customer_id, category, sum(revenue) AS revenue FROM core.orders_enriched GROUP BY ALL)
GROUP BY customer_id;

CREATE OR REPLACE TABLE mart.customer_features AS
SELECT
    c.customer_id,
    c.country,
    c.orders,
    c.units,
    c.total_revenue,
    CAST(c.total_revenue / c.orders AS DECIMAL(14, 2)) AS avg_order_value,
    c.first_order_date,
    c.last_order_date,
    a.as_of_date - c.last_order_date AS recency_days,
    p.distinct_products,
    round(c.weekend_orders / c.orders, 4) AS weekend_share,
    round(c.app_orders / c.orders, 4) AS app_share,
    f.favourite_category
FROM per_customer AS c
JOIN per_product AS p USING (customer_id)
JOIN favourite AS f USING (customer_id)
CROSS JOIN (SELECT max(last_order_date) AS as_of_date FROM per_customer) AS a
ORDER BY c.customer_id;
