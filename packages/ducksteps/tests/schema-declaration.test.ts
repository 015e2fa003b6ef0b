// Reading a CREATE TABLE's column list (sql/column-list.ts): what schema changes compare with the warehouse.
import t from 'tap';
import { declarationOf } from '../lib/sql/column-list.js';

t.test('a CREATE TABLE IF NOT EXISTS gives its table, columns, types, NOT NULL and DEFAULT', async (t) => {
  const d = declarationOf(`-- One row per order.
-- contract: true
CREATE TABLE IF NOT EXISTS core."Orders" (
    batch_id INTEGER NOT NULL, price DECIMAL(12, 2) DEFAULT 0, note VARCHAR DEFAULT 'a, b' NOT NULL,
    "odd name" STRUCT(a INTEGER, b VARCHAR), id BIGINT,
    PRIMARY KEY (id)
)`);
  t.same(d, {
    table: 'core.orders',
    name: 'core."Orders"',
    ifNotExists: true,
    contract: true,
    columns: [
      { name: 'batch_id', type: 'INTEGER', notNull: true },
      { name: 'price', type: 'DECIMAL(12, 2)', notNull: false, default: '0' },
      { name: 'note', type: 'VARCHAR', notNull: true, default: "'a, b'" },
      { name: 'odd name', type: 'STRUCT(a INTEGER, b VARCHAR)', notNull: false },
      { name: 'id', type: 'BIGINT', notNull: true },
    ],
  });
});

t.test('only tables declared with a column list count (not CTAS, OR REPLACE, TEMP or views)', async (t) => {
  t.equal(declarationOf('CREATE TABLE t AS SELECT 1 AS a'), undefined);
  t.equal(declarationOf('CREATE OR REPLACE TABLE t (a INTEGER)'), undefined, 'replaced on every run: nothing drifts');
  t.equal(declarationOf('CREATE TEMP TABLE t (a INTEGER)'), undefined);
  t.equal(declarationOf('CREATE VIEW v AS SELECT 1'), undefined);
  t.equal(declarationOf('INSERT INTO t VALUES (1)'), undefined);
  t.same(declarationOf('create table t(a int)')?.columns, [{ name: 'a', type: 'int', notNull: false }]);
  t.equal(declarationOf('CREATE TABLE t (a INTEGER)')?.contract, false);
  t.equal(declarationOf('CREATE TABLE IF NOT EXISTS t (a INT) USING parquet')?.table, 't', "Spark's table options");
});
