-- ducksteps: incremental
-- Extract, in Spark SQL (01_raw_tables.sql is the DuckDB version; with --engine spark this file replaces it).
-- The same tables: this batch's day files appended to raw.orders, every column as text; lines that do not fit
-- the header kept aside in raw.orders_malformed; the customer and product snapshots replaced. Spark's CSV
-- reader in PERMISSIVE mode stands in for DuckDB's rejects tables: a line with the wrong number of fields
-- arrives whole in the column malformed_line.
{% import "macros/landing.sql" as landing %}
{% import "macros/spark_csv.sql" as csv %}
{% set create = 'CREATE OR REPLACE TABLE' if batch.full_refresh else 'CREATE TABLE IF NOT EXISTS' %}
{% set order_columns = ['order_id', 'customer_id', 'product_id', 'order_date', 'quantity', 'unit_price', 'channel'] %}
CREATE SCHEMA IF NOT EXISTS raw;

-- The snapshots: DuckDB rewrites them only when they changed; here each batch writes a new version.
{{ csv.view('customers_file', landing.file('customers'), ['customer_id', 'name', 'email', 'country', 'signup_date']) }};
CREATE OR REPLACE TABLE raw.customers AS
SELECT CAST(row_number() OVER (ORDER BY scan_position) AS BIGINT) AS source_row, customer_id, name, email, country, signup_date
FROM {{ csv.in_line_order('customers_file') }};

{{ csv.view('products_file', landing.file('products'), ['product_id', 'sku', 'name', 'category', 'list_price']) }};
CREATE OR REPLACE TABLE raw.products AS
SELECT CAST(row_number() OVER (ORDER BY scan_position) AS BIGINT) AS source_row, product_id, sku, name, category, list_price
FROM {{ csv.in_line_order('products_file') }};

{{ create }} raw.orders (
    batch_id INT, source_file STRING, source_row BIGINT, order_id STRING, customer_id STRING,
    product_id STRING, order_date STRING, quantity STRING, unit_price STRING, channel STRING
);
{{ create }} raw.orders_malformed (
    batch_id INT, source_file STRING, source_line BIGINT, error_type STRING, raw_line STRING, error_message STRING
);
{% if batch.count.orders %}

{% for path in batch.paths.orders %}
{{ csv.view('orders_file_' ~ loop.index, path, order_columns, corrupt='malformed_line') }};
{% endfor %}

-- Every line of the batch with its file's place in the batch (files in name order) and its record number in
-- the file (record 1 is line 2, after the header). Cached: both inserts read it.
CACHE TABLE batch_lines AS
SELECT *, row_number() OVER (PARTITION BY file_index ORDER BY scan_position) AS record
FROM (
{% for path in batch.paths.orders %}
    SELECT {{ loop.index }} AS file_index, {{ path.split('/') | last | sql_string }} AS source_file, *
    FROM {{ csv.in_line_order('orders_file_' ~ loop.index) }} AS f{{ '' if loop.last else ' UNION ALL' }}
{% endfor %}
);

-- source_row: the line's position among the batch's well-formed lines, files in name order, lines in file
-- order (DuckDB's row_number() over its scan): the well-formed lines of the files before, plus its own.
INSERT INTO raw.orders
SELECT {{ batch.id }}, l.source_file, f.before + row_number() OVER (PARTITION BY l.file_index ORDER BY l.record),
       l.order_id, l.customer_id, l.product_id, l.order_date, l.quantity, l.unit_price, l.channel
FROM batch_lines AS l
JOIN (SELECT file_index, coalesce(sum(count(*)) OVER (ORDER BY file_index ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
      FROM batch_lines WHERE malformed_line IS NULL GROUP BY file_index) AS f ON f.file_index = l.file_index
WHERE l.malformed_line IS NULL;

-- The kind of problem from the line's field count (the example's files quote nothing); Spark's reader gives no
-- message of its own, so error_message is written here.
INSERT INTO raw.orders_malformed
SELECT {{ batch.id }}, source_file, record + 1,
       CASE WHEN fields > {{ order_columns | length }} THEN 'TOO MANY COLUMNS' ELSE 'MISSING COLUMNS' END,
       malformed_line, 'Expected Number of Columns: {{ order_columns | length }} Found: ' || fields
FROM (SELECT *, size(split(malformed_line, ',')) AS fields FROM batch_lines WHERE malformed_line IS NOT NULL);

UNCACHE TABLE batch_lines;
{% endif %}
