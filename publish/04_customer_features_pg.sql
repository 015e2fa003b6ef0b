-- publish: postgres ml.customer_features
-- mode: replace
-- key: customer_id
-- optional: yes (skipped when DUCKSTEPS_PG_URL is not set)
-- The ML application reads its features from PostgreSQL: the whole table, swapped in atomically.
SELECT * FROM mart.customer_features
