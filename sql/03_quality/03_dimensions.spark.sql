-- Typed, standardised customers and products, in Spark SQL (03_dimensions.sql is the DuckDB version): one row
-- per key, the first line of each. Spark has no QUALIFY: the row number is filtered one level up.
CREATE OR REPLACE TABLE core.customers AS
SELECT
    CAST(customer_id AS BIGINT) AS customer_id,
    trim(name) AS name,
    lower(trim(email)) AS email,
    upper(trim(country)) AS country,
    CAST(signup_date AS DATE) AS signup_date
FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY source_row) AS occurrence FROM raw.customers)
WHERE occurrence = 1;

CREATE OR REPLACE TABLE core.products AS
SELECT
    CAST(product_id AS BIGINT) AS product_id,
    sku,
    name,
    lower(trim(category)) AS category,
    CAST(list_price AS DECIMAL(12, 2)) AS list_price
FROM (SELECT *, row_number() OVER (PARTITION BY product_id ORDER BY source_row) AS occurrence FROM raw.products)
WHERE occurrence = 1;
