-- Files for the downstream ML application and for analysts (output/ is created by steps/06_export.ts).
{% set out = vars.output_dir | default('output') %}
COPY (SELECT * FROM mart.customer_features ORDER BY customer_id)
TO '{{ out }}/customer_features.parquet' (FORMAT parquet, COMPRESSION zstd);

COPY (SELECT * FROM mart.daily_revenue ORDER BY order_date)
TO '{{ out }}/daily_revenue.csv' (HEADER, DELIMITER ',');

COPY (SELECT * EXCLUDE (batch_id, source_row) FROM core.rejected_orders ORDER BY reject_reason, source_file, source_row, raw_line)
TO '{{ out }}/rejected_orders.csv' (HEADER, DELIMITER ',');
