-- Keys are unique and never NULL in every table downstream consumers join on.

-- name: orders_order_id_unique
{{ unique('core.orders', 'order_id') }};

-- name: orders_keys_not_null
{{ not_null('core.orders', ['order_id', 'customer_id', 'product_id', 'order_date']) }};

-- name: customers_customer_id_unique
{{ unique('core.customers', 'customer_id') }};

-- name: products_product_id_unique
{{ unique('core.products', 'product_id') }};

-- name: customer_features_customer_id_unique
{{ unique('mart.customer_features', 'customer_id') }};

-- name: daily_revenue_date_unique
{{ unique('mart.daily_revenue', 'order_date') }};
