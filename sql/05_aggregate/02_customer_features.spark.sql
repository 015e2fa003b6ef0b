-- Per-customer features, in Spark SQL (02_customer_features.sql is the DuckDB version and explains each
-- feature). Spark cannot DELETE or UPDATE a parquet table: the new version is built in one statement — the
-- customers this batch touched recomputed from all their orders, the others kept — and recency is computed
-- there for everyone against the new as-of date.
{% if batch.full_refresh %}
{% set scope = "" %}
{% else %}
{% set scope = "WHERE customer_id IN (SELECT customer_id FROM affected_customers)" %}
CREATE TABLE IF NOT EXISTS mart.customer_features (
    customer_id BIGINT, country STRING, orders BIGINT, units BIGINT, total_revenue DECIMAL(38, 2),
    avg_order_value DECIMAL(14, 2), first_order_date DATE, last_order_date DATE, recency_days BIGINT,
    distinct_products BIGINT, weekend_share DOUBLE, app_share DOUBLE, favourite_category STRING
);
{% endif %}

CREATE OR REPLACE TEMPORARY VIEW affected_customers AS
SELECT DISTINCT customer_id FROM core.orders_enriched WHERE batch_id = {{ batch.id }};

CACHE TABLE per_customer AS
SELECT
    customer_id,
    any_value(country) AS country,
    count(*) AS orders,
    sum(quantity) AS units,
    sum(revenue) AS total_revenue,
    min(order_date) AS first_order_date,
    max(order_date) AS last_order_date,
    count(*) FILTER (WHERE is_weekend) AS weekend_orders,
    count(*) FILTER (WHERE channel = 'app') AS app_orders
FROM core.orders_enriched
{{ scope }}
GROUP BY customer_id;

CREATE OR REPLACE TEMPORARY VIEW per_product AS
SELECT customer_id, count(*) AS distinct_products
FROM (SELECT customer_id, product_id FROM core.orders_enriched {{ scope }} GROUP BY ALL)
GROUP BY customer_id;

-- Highest revenue wins, ties go to the first name (DuckDB's arg_min on a struct key is Spark's min_by).
CREATE OR REPLACE TEMPORARY VIEW favourite AS
SELECT customer_id, min_by(category, struct(-revenue, category)) AS favourite_category
FROM (SELECT customer_id, category, sum(revenue) AS revenue FROM core.orders_enriched {{ scope }} GROUP BY ALL)
GROUP BY customer_id;

-- avg_order_value: DuckDB divides a DECIMAL by an integer in DOUBLE and rounds half away from zero at the
-- scale; Spark would divide exactly. The expression below is DuckDB's arithmetic, so both engines give the
-- same cents on a tie.
CREATE OR REPLACE TABLE mart.customer_features AS
WITH recomputed AS (
    SELECT
        c.customer_id,
        c.country,
        c.orders,
        CAST(c.units AS BIGINT) AS units,
        CAST(c.total_revenue AS DECIMAL(38, 2)) AS total_revenue,
        CAST(round(CAST(c.total_revenue AS DOUBLE) / c.orders * 100) / 100 AS DECIMAL(14, 2)) AS avg_order_value,
        c.first_order_date,
        c.last_order_date,
        p.distinct_products,
        round(c.weekend_orders / c.orders, 4) AS weekend_share,
        round(c.app_orders / c.orders, 4) AS app_share,
        f.favourite_category
    FROM per_customer AS c
    JOIN per_product AS p ON p.customer_id = c.customer_id
    JOIN favourite AS f ON f.customer_id = c.customer_id
),
everyone AS (
    SELECT * FROM recomputed
{% if not batch.full_refresh %}
    UNION ALL
    SELECT customer_id, country, orders, units, total_revenue, avg_order_value, first_order_date, last_order_date,
           distinct_products, weekend_share, app_share, favourite_category
    FROM mart.customer_features
    WHERE customer_id NOT IN (SELECT customer_id FROM per_customer)
{% endif %}
)
SELECT
    customer_id, country, orders, units, total_revenue, avg_order_value, first_order_date, last_order_date,
    CAST(datediff(max(last_order_date) OVER (), last_order_date) AS BIGINT) AS recency_days,
    distinct_products, weekend_share, app_share, favourite_category
FROM everyone;

UNCACHE TABLE per_customer;
