-- Daily revenue for dashboards and forecasting.
CREATE SCHEMA IF NOT EXISTS mart;

CREATE OR REPLACE TABLE mart.daily_revenue AS
SELECT
    order_date,
    count(*) AS orders,
    sum(quantity) AS units,
    sum(revenue) AS revenue,
    count(DISTINCT customer_id) AS customers
FROM core.orders_enriched
GROUP BY order_date
ORDER BY order_date;
