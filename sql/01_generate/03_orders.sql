-- Source system export: orders, with the quality problems a real feed has, at known rates:
-- null prices (1%), non-positive quantities (1%), bad dates (0.4%), unknown customers (0.5%),
-- duplicate order ids (every 200th order is sent again at the end of the file, 0.5%), and prices keyed
-- in ten times too high (0.2%). Other prices are within 10% of the catalogue price.
-- steps/01_generate.ts then appends malformed lines. One ordered scan of range(): no sort, so it
-- streams in constant memory at any size, and the file is the same every run.
{% import "macros/landing.sql" as landing %}
{% set n = vars.orders | int %}
COPY (
    WITH ids AS (
        SELECT CASE WHEN i <= {{ n }} THEN i ELSE (i - {{ n }}) * 200 END AS id
        FROM range(1, {{ n }} + {{ n }} // 200 + 1) AS r(i)
    )
    SELECT
        id AS order_id,
        CASE WHEN {{ landing.pick('id', 'unknown', 200) }} = 0
             THEN {{ landing.customers() }} + 1 + id % 50
             ELSE 1 + {{ landing.pick('id', 'customer', landing.customers()) }} END AS customer_id,
        1 + {{ landing.pick('id', 'product', 500) }} AS product_id,
        CASE {{ landing.pick('id', 'baddate', 750) }}
             WHEN 0 THEN '2024-02-30' WHEN 1 THEN 'not a date' WHEN 2 THEN '31/12/2024'
             ELSE strftime(DATE '2024-01-01' + CAST({{ landing.pick('id', 'date', 731) }} AS INTEGER), '%Y-%m-%d') END AS order_date,
        CASE WHEN {{ landing.pick('id', 'qty0', 100) }} = 0 THEN -{{ landing.pick('id', 'neg', 2) }}
             ELSE 1 + {{ landing.pick('id', 'qty', 5) }} END AS quantity,
        CASE WHEN {{ landing.pick('id', 'noprice', 100) }} = 0 THEN NULL
             WHEN {{ landing.pick('id', 'typo', 500) }} = 0
             THEN {{ landing.list_price('1 + ' ~ landing.pick('id', 'product', 500)) }} * 10
             ELSE round({{ landing.list_price('1 + ' ~ landing.pick('id', 'product', 500)) }}
                        * (0.9 + {{ landing.pick('id', 'discount', 21) }} / 100.0), 2) END AS unit_price,
        ['web', 'web', 'app', 'store'][1 + {{ landing.pick('id', 'channel', 4) }}] AS channel
    FROM ids
) TO '{{ landing.file("orders") }}' (HEADER, DELIMITER ',');
