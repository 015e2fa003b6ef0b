-- publish: postgres ml.daily_revenue
-- mode: upsert
-- key: order_date
-- optional: yes (skipped when DUCKSTEPS_PG_URL is not set)
-- Daily revenue merged by date: a new day adds a row, a corrected day replaces its row.
SELECT * FROM mart.daily_revenue
