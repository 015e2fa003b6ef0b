-- ducksteps: local
-- Source system export: customers, with messy casing and padding the enrich step standardises. Written to
-- customers.csv.new; steps/01_generate.ts puts it in place only when its content changed.
{% import "macros/landing.sql" as landing %}
COPY (
    SELECT
        i AS customer_id,
        'Customer ' || i AS name,
        '  User' || i || '@Example.COM ' AS email,
        ['fr', ' FR', 'de', 'DE ', 'us', 'Us', 'gb', 'nl'][1 + {{ landing.pick('i', 'country', 8) }}] AS country,
        strftime(DATE '2020-01-01' + CAST({{ landing.pick('i', 'signup', 1460) }} AS INTEGER), '%Y-%m-%d') AS signup_date
    FROM range(1, {{ landing.customers() }} + 1) AS r(i)
    ORDER BY i
) TO '{{ landing.file("customers") }}.new' (FORMAT csv, HEADER, DELIMITER ',');
