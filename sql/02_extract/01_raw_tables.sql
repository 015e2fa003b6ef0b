-- Extract the landing files into raw tables, every column as text: typing is the quality step's job.
{% import "macros/landing.sql" as landing %}
CREATE SCHEMA IF NOT EXISTS raw;

CREATE OR REPLACE TABLE raw.customers AS
SELECT row_number() OVER () AS source_row, *
FROM read_csv('{{ landing.file("customers") }}', header = true, all_varchar = true);

CREATE OR REPLACE TABLE raw.products AS
SELECT row_number() OVER () AS source_row, *
FROM read_csv('{{ landing.file("products") }}', header = true, all_varchar = true);

-- Lines that do not fit the header (too many or too few fields) are kept aside, not fatal.
CREATE OR REPLACE TABLE raw.orders AS
SELECT row_number() OVER () AS source_row, *
FROM read_csv('{{ landing.file("orders") }}', header = true, all_varchar = true,
              store_rejects = true, rejects_table = 'orders_rejects', rejects_scan = 'orders_reject_scans');

-- DuckDB records one reject per offending column; keep one row per malformed line.
CREATE OR REPLACE TABLE raw.orders_malformed AS
SELECT line AS source_line,
       arg_min(error_type, column_idx) AS error_type,
       arg_min(csv_line, column_idx) AS raw_line,
       arg_min(error_message, column_idx) AS error_message
FROM orders_rejects
GROUP BY line
ORDER BY line;
