-- Typed, standardised customers and products: one row per key (rewritten only when they changed).
{% import "macros/snapshot.sql" as snapshot %}
{% call snapshot.refresh('core.customers') %}
SELECT
    CAST(customer_id AS BIGINT) AS customer_id,
    trim(name) AS name,
    lower(trim(email)) AS email,
    upper(trim(country)) AS country,
    CAST(signup_date AS DATE) AS signup_date
FROM raw.customers
QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY source_row) = 1
ORDER BY customer_id
{% endcall %};

{% call snapshot.refresh('core.products') %}
SELECT
    CAST(product_id AS BIGINT) AS product_id,
    sku,
    name,
    lower(trim(category)) AS category,
    CAST(list_price AS DECIMAL(12, 2)) AS list_price
FROM raw.products
QUALIFY row_number() OVER (PARTITION BY product_id ORDER BY source_row) = 1
ORDER BY product_id
{% endcall %};
