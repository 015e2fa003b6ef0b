-- ducksteps: incremental
-- Daily revenue for dashboards and forecasting: only the dates this batch touched are recomputed (from
-- every order of those dates), so a day's file costs a day's work.
CREATE SCHEMA IF NOT EXISTS mart;

CREATE TABLE IF NOT EXISTS mart.daily_revenue AS
SELECT order_date, count(*) AS orders, sum(quantity) AS units, sum(revenue) AS revenue, count(DISTINCT customer_id) AS customers
FROM core.orders_enriched
WHERE false
GROUP BY order_date;
{% if batch.full_refresh %}
DELETE FROM mart.daily_revenue;
{% endif %}

CREATE OR REPLACE TEMP TABLE affected_dates AS
SELECT DISTINCT order_date FROM core.orders_enriched WHERE batch_id = {{ batch.id }};

DELETE FROM mart.daily_revenue WHERE order_date IN (SELECT order_date FROM affected_dates);

INSERT INTO mart.daily_revenue
SELECT
    order_date,
    count(*) AS orders,
    sum(quantity) AS units,
    sum(revenue) AS revenue,
    count(DISTINCT customer_id) AS customers
FROM core.orders_enriched
WHERE order_date IN (SELECT order_date FROM affected_dates)
GROUP BY order_date;
