-- publish: file output/daily_revenue.csv
-- Delivered after every step and assertion passed, written under a temporary name and renamed into place.
-- A file ending in .parquet or .json is written as such. To deliver to PostgreSQL instead, the first line
-- names a table ("publish: postgres schema.table", with "mode: replace", "append" or "upsert" and a "key"
-- line for upsert) and DUCKSTEPS_PG_URL the server. The ducksteps documentation has every option.
SELECT * FROM mart.daily_revenue ORDER BY order_date
