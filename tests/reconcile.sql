-- Nothing is lost or invented between the stages.

-- name: clean_plus_rejected_equals_raw
-- Every landing line is either a clean order or a rejected one, exactly once.
SELECT raw_rows, malformed_rows, clean_rows, rejected_rows
FROM (
    SELECT
        (SELECT count(*) FROM raw.orders) AS raw_rows,
        (SELECT count(*) FROM raw.orders_malformed) AS malformed_rows,
        (SELECT count(*) FROM core.orders) AS clean_rows,
        (SELECT count(*) FROM core.rejected_orders) AS rejected_rows
)
WHERE raw_rows + malformed_rows <> clean_rows + rejected_rows;

-- name: revenue_reconciles_daily
-- Revenue summed per day equals revenue summed per order.
SELECT enriched, daily
FROM (
    SELECT (SELECT sum(revenue) FROM core.orders_enriched) AS enriched,
           (SELECT sum(revenue) FROM mart.daily_revenue) AS daily
)
WHERE enriched IS DISTINCT FROM daily;

-- name: revenue_reconciles_customers
SELECT enriched, per_customer
FROM (
    SELECT (SELECT sum(revenue) FROM core.orders_enriched) AS enriched,
           (SELECT sum(total_revenue) FROM mart.customer_features) AS per_customer
)
WHERE enriched IS DISTINCT FROM per_customer;

-- name: enriched_keeps_every_clean_order
SELECT o.order_id FROM core.orders AS o ANTI JOIN core.orders_enriched AS e USING (order_id);
