-- ducksteps: incremental
-- Extract: this batch's day files appended to raw.orders, every column as text (typing is the quality
-- step's job); the customer and product snapshots replaced. Which files were loaded, with their size and
-- SHA-256, is in ducksteps.loaded_files, committed with these rows.
{% import "macros/landing.sql" as landing %}
{% import "macros/snapshot.sql" as snapshot %}
CREATE SCHEMA IF NOT EXISTS raw;

-- The snapshots are rewritten only when they changed (a day's batch then writes only its orders).
{% call snapshot.refresh('raw.customers') %}
SELECT row_number() OVER () AS source_row, *
FROM read_csv('{{ landing.file("customers") }}', header = true, all_varchar = true)
{% endcall %};

{% call snapshot.refresh('raw.products') %}
SELECT row_number() OVER () AS source_row, *
FROM read_csv('{{ landing.file("products") }}', header = true, all_varchar = true)
{% endcall %};

-- source_row is the line's position in this batch's scan (files in name order, lines in file order):
-- ordering by (source_file, source_row) is the order the lines were delivered in, in any batch split.
CREATE TABLE IF NOT EXISTS raw.orders (
    batch_id INTEGER, source_file VARCHAR, source_row BIGINT, order_id VARCHAR, customer_id VARCHAR,
    product_id VARCHAR, order_date VARCHAR, quantity VARCHAR, unit_price VARCHAR, channel VARCHAR
);
CREATE TABLE IF NOT EXISTS raw.orders_malformed (
    batch_id INTEGER, source_file VARCHAR, source_line BIGINT, error_type VARCHAR, raw_line VARCHAR, error_message VARCHAR
);
{% if batch.full_refresh %}
DELETE FROM raw.orders;
DELETE FROM raw.orders_malformed;
{% endif %}
{% if batch.count.orders %}

-- Lines that do not fit the header (too many or too few fields) are kept aside, not fatal.
INSERT INTO raw.orders
SELECT {{ batch.id }}, parse_filename(filename), row_number() OVER (),
       order_id, customer_id, product_id, order_date, quantity, unit_price, channel
FROM read_csv({{ batch.files.orders }}, header = true, all_varchar = true, filename = true,
              store_rejects = true, rejects_table = 'orders_rejects', rejects_scan = 'orders_reject_scans');

-- DuckDB records one reject per offending column; keep one row per malformed line.
INSERT INTO raw.orders_malformed
SELECT {{ batch.id }}, parse_filename(s.file_path), r.line,
       arg_min(r.error_type, r.column_idx), arg_min(r.csv_line, r.column_idx), arg_min(r.error_message, r.column_idx)
FROM orders_rejects AS r
JOIN orders_reject_scans AS s USING (scan_id, file_id)
GROUP BY s.file_path, r.line;
{% endif %}
