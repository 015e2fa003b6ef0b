-- The exported files hold exactly the rows of the tables they were written from.
{% set out = vars.output_dir | default('output') %}

-- name: export_customer_features_rows
SELECT file_rows, table_rows FROM (
    SELECT (SELECT count(*) FROM read_parquet('{{ out }}/customer_features.parquet')) AS file_rows,
           (SELECT count(*) FROM mart.customer_features) AS table_rows
) WHERE file_rows <> table_rows;

-- name: export_daily_revenue_rows
SELECT file_rows, table_rows FROM (
    SELECT (SELECT count(*) FROM read_csv('{{ out }}/daily_revenue.csv', header = true)) AS file_rows,
           (SELECT count(*) FROM mart.daily_revenue) AS table_rows
) WHERE file_rows <> table_rows;
