-- Source system export: orders, with the quality problems a real feed has, at known rates:
-- null prices (1%), non-positive quantities (1%), bad dates (0.4%), unknown customers (0.5%),
-- duplicate order ids (0.5%, repeated later in the file). steps/01_generate.ts appends malformed lines.
{% import "macros/landing.sql" as landing %}
COPY (
    WITH base AS (
        SELECT
            i AS order_id,
            CASE WHEN {{ landing.pick('i', 'unknown', 200) }} = 0
                 THEN {{ landing.customers() }} + 1 + i % 50
                 ELSE 1 + {{ landing.pick('i', 'customer', landing.customers()) }} END AS customer_id,
            1 + {{ landing.pick('i', 'product', 500) }} AS product_id,
            CASE {{ landing.pick('i', 'baddate', 750) }}
                 WHEN 0 THEN '2024-02-30' WHEN 1 THEN 'not a date' WHEN 2 THEN '31/12/2024'
                 ELSE strftime(DATE '2024-01-01' + CAST({{ landing.pick('i', 'date', 731) }} AS INTEGER), '%Y-%m-%d') END AS order_date,
            CASE WHEN {{ landing.pick('i', 'qty0', 100) }} = 0 THEN -{{ landing.pick('i', 'neg', 2) }}
                 ELSE 1 + {{ landing.pick('i', 'qty', 5) }} END AS quantity,
            CASE WHEN {{ landing.pick('i', 'noprice', 100) }} = 0 THEN NULL
                 ELSE round(2 + {{ landing.pick('i', 'price', 19800) }} / 100.0, 2) END AS unit_price,
            ['web', 'web', 'app', 'store'][1 + {{ landing.pick('i', 'channel', 4) }}] AS channel
        FROM range(1, {{ vars.orders | int }} + 1) AS r(i)
    )
    SELECT * EXCLUDE (copy) FROM (
        SELECT *, 0 AS copy FROM base
        UNION ALL
        SELECT *, 1 AS copy FROM base WHERE {{ landing.pick('order_id', 'dup', 200) }} = 0
    )
    ORDER BY copy, order_id
) TO '{{ landing.file("orders") }}' (HEADER, DELIMITER ',');
