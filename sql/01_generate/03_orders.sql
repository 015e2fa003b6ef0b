-- Source system export: one orders file per day (orders_YYYY-MM-DD.csv), with the quality problems a
-- real feed has, at known rates: null prices (1%), non-positive quantities (1%), bad dates (0.4%), unknown
-- customers (0.5%), duplicate order ids (every 200th order sent again at the end of its day's file, and
-- every 997th of the previous day's orders sent again a day late), and prices keyed in ten times too high
-- (0.2%). Other prices are within 10% of the catalogue price. Everything follows from the order id, so a
-- day's file is the same whenever it is written. This file only defines the day as a table macro:
-- steps/01_generate.ts writes the days that are missing (days 1..vars.days) and appends malformed lines.
{% import "macros/landing.sql" as landing %}
{% set per_day = landing.per_day() | int %}
CREATE OR REPLACE TEMP MACRO orders_of_day(d) AS TABLE
WITH ids AS (
    SELECT (d - 1) * {{ per_day }} + i AS id, 1 AS part FROM range(1, {{ per_day }} + 1) AS r(i)
    UNION ALL
    SELECT (d - 1) * {{ per_day }} + i * 200, 2 FROM range(1, {{ per_day }} // 200 + 1) AS r(i)
    UNION ALL
    SELECT (d - 2) * {{ per_day }} + i * 997, 3 FROM range(1, {{ per_day }} // 997 + 1) AS r(i) WHERE d > 1
)
SELECT
    id AS order_id,
    CASE WHEN {{ landing.pick('id', 'unknown', 200) }} = 0
         THEN {{ landing.customers() }} + 1 + id % 50
         ELSE 1 + {{ landing.pick('id', 'customer', landing.customers()) }} END AS customer_id,
    1 + {{ landing.pick('id', 'product', 500) }} AS product_id,
    CASE {{ landing.pick('id', 'baddate', 750) }}
         WHEN 0 THEN '2024-02-30' WHEN 1 THEN 'not a date' WHEN 2 THEN '31/12/2024'
         ELSE strftime(DATE '2024-01-01' + CAST(d - 1 AS INTEGER), '%Y-%m-%d') END AS order_date,
    CASE WHEN {{ landing.pick('id', 'qty0', 100) }} = 0 THEN -{{ landing.pick('id', 'neg', 2) }}
         ELSE 1 + {{ landing.pick('id', 'qty', 5) }} END AS quantity,
    CASE WHEN {{ landing.pick('id', 'noprice', 100) }} = 0 THEN NULL
         WHEN {{ landing.pick('id', 'typo', 500) }} = 0
         THEN {{ landing.list_price('1 + ' ~ landing.pick('id', 'product', 500)) }} * 10
         ELSE round({{ landing.list_price('1 + ' ~ landing.pick('id', 'product', 500)) }}
                    * (0.9 + {{ landing.pick('id', 'discount', 21) }} / 100.0), 2) END AS unit_price,
    ['web', 'web', 'app', 'store'][1 + {{ landing.pick('id', 'channel', 4) }}] AS channel
FROM ids
ORDER BY part, id;
