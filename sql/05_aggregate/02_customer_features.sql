-- Per-customer features for the churn / lifetime-value model, as of the last order date in the data.
CREATE OR REPLACE TABLE mart.customer_features AS
WITH as_of AS (SELECT max(order_date) AS as_of_date FROM core.orders_enriched),
per_category AS (
    SELECT customer_id, category, sum(revenue) AS revenue
    FROM core.orders_enriched
    GROUP BY ALL
)
SELECT
    e.customer_id,
    any_value(e.country) AS country,
    count(*) AS orders,
    sum(e.quantity) AS units,
    sum(e.revenue) AS total_revenue,
    CAST(avg(e.revenue) AS DECIMAL(14, 2)) AS avg_order_value,
    min(e.order_date) AS first_order_date,
    max(e.order_date) AS last_order_date,
    any_value(a.as_of_date) - max(e.order_date) AS recency_days,
    count(DISTINCT e.product_id) AS distinct_products,
    round(avg(CASE WHEN e.is_weekend THEN 1 ELSE 0 END), 4) AS weekend_share,
    round(avg(CASE WHEN e.channel = 'app' THEN 1 ELSE 0 END), 4) AS app_share,
    (SELECT arg_max(category, revenue) FROM per_category AS pc WHERE pc.customer_id = e.customer_id) AS favourite_category
FROM core.orders_enriched AS e, as_of AS a
GROUP BY e.customer_id
ORDER BY e.customer_id;
