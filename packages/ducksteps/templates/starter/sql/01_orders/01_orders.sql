-- The orders, as the source delivers them. This starter step makes three rows; replace the VALUES with your
-- source, for example read_csv('data/landing/orders.csv', header = true) or read_parquet('data/landing/*.parquet').
CREATE SCHEMA IF NOT EXISTS core;

CREATE OR REPLACE TABLE core.orders AS
SELECT *
FROM (
  VALUES
    (1, 'alice', DATE '2024-01-01', 12.50),
    (2, 'bob', DATE '2024-01-01', 7.00),
    (3, 'alice', DATE '2024-01-02', 3.25)
) AS t (order_id, customer, order_date, amount);
