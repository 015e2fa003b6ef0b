-- name: unit_price_far_from_list_price
-- severity: warn
-- Orders sold at less than a quarter or more than four times the catalogue price, for a pricing review.
-- This fires on the example data on purpose: the generator keys 0.2% of prices in ten times too high
-- (a typical data-entry error), so it shows what a warning looks like (reported and logged, exit 0).
SELECT e.order_id, e.product_id, e.unit_price, p.list_price
FROM core.orders_enriched AS e
JOIN core.products AS p USING (product_id)
WHERE e.unit_price < p.list_price / 4 OR e.unit_price > p.list_price * 4
ORDER BY e.order_id;
