-- Revenue per day, from the orders.
CREATE SCHEMA IF NOT EXISTS mart;

CREATE OR REPLACE TABLE mart.daily_revenue AS
SELECT order_date, count(*) AS orders, sum(amount) AS revenue
FROM core.orders
GROUP BY order_date;
