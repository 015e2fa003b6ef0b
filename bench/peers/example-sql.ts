// What the example's ports share: the landing columns and the accepted values of its tests/values.sql.
export const ORDER_COLUMNS = [
  'order_id',
  'customer_id',
  'product_id',
  'order_date',
  'quantity',
  'unit_price',
  'channel',
];
export const ACCEPTED = {
  channel: ['web', 'app', 'store'],
  country: ['FR', 'DE', 'US', 'GB', 'NL'],
  reject_reason: [
    'invalid_order_id',
    'duplicate_order_id',
    'invalid_order_date',
    'non_positive_quantity',
    'missing_unit_price',
    'negative_unit_price',
    'unknown_customer',
    'unknown_product',
    'malformed_row: missing columns',
    'malformed_row: too many columns',
  ],
};
/** The example's tables, compared across the tools (batch_id and file_date are each tool's bookkeeping). */
export const EXAMPLE_TABLES = [
  'raw.orders',
  'raw.orders_malformed',
  'raw.customers',
  'raw.products',
  'core.orders',
  'core.rejected_orders',
  'core.customers',
  'core.products',
  'core.orders_enriched',
  'mart.daily_revenue',
  'mart.customer_features',
];
export const BOOKKEEPING = ['batch_id', 'file_date'];
