-- publish: file output/customer_features.parquet
-- Features for the downstream ML application, as Parquet.
SELECT * FROM mart.customer_features ORDER BY customer_id
