-- Source system export: the product catalogue (500 products in 8 categories), to products.csv.new (put in
-- place by steps/01_generate.ts only when it changed).
{% import "macros/landing.sql" as landing %}
COPY (
    SELECT
        i AS product_id,
        'SKU-' || lpad(CAST(i AS VARCHAR), 5, '0') AS sku,
        'Product ' || i AS name,
        ['books', 'games', 'garden', 'kitchen', 'music', 'sports', 'toys', 'tools'][1 + {{ landing.pick('i', 'category', 8) }}] AS category,
        {{ landing.list_price('i') }} AS list_price
    FROM range(1, 501) AS r(i)
    ORDER BY i
) TO '{{ landing.file("products") }}.new' (FORMAT csv, HEADER, DELIMITER ',');
