-- ducksteps: incremental
-- Daily revenue, in Spark SQL (01_daily_revenue.sql is the DuckDB version). Spark cannot DELETE from a parquet
-- table: the new version is built in one statement from the committed one, the dates this batch touched
-- recomputed from every order of those dates, the other dates kept as they were.
CREATE SCHEMA IF NOT EXISTS mart;
{% if batch.full_refresh %}

CREATE OR REPLACE TABLE mart.daily_revenue AS
SELECT order_date, count(*) AS orders, sum(quantity) AS units, sum(revenue) AS revenue, count(DISTINCT customer_id) AS customers
FROM core.orders_enriched
GROUP BY order_date;
{% else %}

CREATE TABLE IF NOT EXISTS mart.daily_revenue (order_date DATE, orders BIGINT, units BIGINT, revenue DECIMAL(24, 2), customers BIGINT);

CREATE OR REPLACE TEMPORARY VIEW affected_dates AS
SELECT DISTINCT order_date FROM core.orders_enriched WHERE batch_id = {{ batch.id }};

CREATE OR REPLACE TABLE mart.daily_revenue AS
SELECT * FROM mart.daily_revenue
WHERE order_date NOT IN (SELECT order_date FROM affected_dates)
UNION ALL
SELECT order_date, count(*), sum(quantity), sum(revenue), count(DISTINCT customer_id)
FROM core.orders_enriched
WHERE order_date IN (SELECT order_date FROM affected_dates)
GROUP BY order_date;
{% endif %}
