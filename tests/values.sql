-- Standardised fields hold only the values the downstream application knows.

-- name: orders_channel_accepted
{{ accepted_values('core.orders', 'channel', ['web', 'app', 'store']) }};

-- name: customers_country_accepted
{{ accepted_values('core.customers', 'country', ['FR', 'DE', 'US', 'GB', 'NL']) }};

-- name: rejected_reason_accepted
{{ accepted_values('core.rejected_orders', 'reject_reason', [
    'invalid_order_id', 'duplicate_order_id', 'invalid_order_date', 'non_positive_quantity',
    'missing_unit_price', 'negative_unit_price', 'unknown_customer', 'unknown_product',
    'malformed_row: missing columns', 'malformed_row: too many columns']) }};

-- name: orders_quantity_and_price_valid
{{ expression('core.orders', 'quantity > 0 AND unit_price >= 0') }};

-- name: customer_features_row_count
{{ row_count('mart.customer_features', 1) }};
