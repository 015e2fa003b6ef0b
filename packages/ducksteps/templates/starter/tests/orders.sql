-- Assertions on the orders: each query returns the rows that are wrong (none = pass). Each one gates the step
-- that builds what it reads: a failure rolls that step back before it commits.

-- name: orders_order_id_unique
{{ unique('core.orders', 'order_id') }};

-- name: orders_amount_positive
SELECT * FROM core.orders WHERE amount <= 0;
