-- publish: file output/daily_revenue.csv
-- Daily revenue for analysts, as CSV.
SELECT * FROM mart.daily_revenue ORDER BY order_date
