-- Every clean order points at a known customer and product.

-- name: orders_customer_exists
{{ relationships('core.orders', 'customer_id', 'core.customers', 'customer_id') }};

-- name: orders_product_exists
{{ relationships('core.orders', 'product_id', 'core.products', 'product_id') }};
