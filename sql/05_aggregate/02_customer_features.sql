-- Per-customer features for the churn / lifetime-value model, as of the last order date in the data.
-- Every feature is exact and tie-safe (no floating-point sums, ties broken by name), so the same input
-- gives the same bytes whatever the thread count.
CREATE OR REPLACE TABLE mart.customer_features AS
WITH as_of AS (SELECT max(order_date) AS as_of_date FROM core.orders_enriched),
per_category AS (
    SELECT customer_id, category, sum(revenue) AS revenue
    FROM core.orders_enriched
    GROUP BY ALL
),
favourite AS (
    -- highest revenue wins, ties go to the first name; a struct key keeps this one value per group in memory
    SELECT customer_id, arg_min(category, (-revenue, category)) AS favourite_category
    FROM per_category
    GROUP BY customer_id
)
SELECT
    e.customer_id,
    any_value(e.country) AS country,
    count(*) AS orders,
    sum(e.quantity) AS units,
    sum(e.revenue) AS total_revenue,
    CAST(sum(e.revenue) / count(*) AS DECIMAL(14, 2)) AS avg_order_value,
    min(e.order_date) AS first_order_date,
    max(e.order_date) AS last_order_date,
    any_value(a.as_of_date) - max(e.order_date) AS recency_days,
    count(DISTINCT e.product_id) AS distinct_products,
    round(count(*) FILTER (WHERE e.is_weekend) / count(*), 4) AS weekend_share,
    round(count(*) FILTER (WHERE e.channel = 'app') / count(*), 4) AS app_share,
    any_value(f.favourite_category) AS favourite_category
FROM core.orders_enriched AS e
CROSS JOIN as_of AS a
JOIN favourite AS f USING (customer_id)
GROUP BY e.customer_id
ORDER BY e.customer_id;
