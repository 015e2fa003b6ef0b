// Scratch: which statements work on a DuckLake (PostgreSQL catalog), each in its own autocommit.
import { execSync } from 'node:child_process';
import { rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { startClient, attachSql, postgresCatalog } from '../../packages/ducksteps/tests/lake.js';
import { ensureExtensions } from '../../packages/ducksteps/tests/extensions.js';
const ext = ensureExtensions();
const psql = (db: string, sql: string) =>
  execSync(`psql -At -h 127.0.0.1 -p 55432 -U postgres ${db} -c "${sql}"`, { encoding: 'utf8' }).trim();
psql('postgres', 'DROP DATABASE IF EXISTS sf WITH (FORCE)');
psql('postgres', 'CREATE DATABASE sf');
rmSync('/tmp/lk/sf', { recursive: true, force: true });
mkdirSync('/tmp/lk/sf', { recursive: true });
writeFileSync('/tmp/lk/in.csv', 'id,name\n1,a\n2,b\n3,c,extra\n');
const cat = postgresCatalog({ host: '127.0.0.1', port: 55432, user: 'postgres', dbname: 'sf' });
const a = await startClient(ext);
await a.ok(attachSql(cat, 'lake', '/tmp/lk/sf/'));
await a.ok('USE lake');
const stmts = process.argv.slice(2).length
  ? process.argv.slice(2)
  : [
      'CREATE TABLE pk (id INTEGER PRIMARY KEY, v VARCHAR)',
      'CREATE TABLE uq (id INTEGER UNIQUE, v VARCHAR)',
      "CREATE TABLE nn (id INTEGER NOT NULL, v VARCHAR DEFAULT 'x')",
      'INSERT INTO nn (id) VALUES (1)',
      'FROM nn',
      "INSERT INTO nn VALUES (NULL, 'y')",
      'CREATE TABLE ck (id INTEGER CHECK (id > 0))',
      'CREATE TABLE fk (id INTEGER REFERENCES nn(id))',
      'CREATE TABLE gen (a INTEGER, b INTEGER GENERATED ALWAYS AS (a * 2))',
      'CREATE TABLE t (id INTEGER, v VARCHAR)',
      "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
      'CREATE INDEX t_id ON t (id)',
      'CREATE UNIQUE INDEX t_uid ON t (id)',
      'CREATE SEQUENCE seq START 1',
      "CREATE TABLE sq (id INTEGER DEFAULT nextval('seq'))",
      'CREATE MACRO add1(x) AS x + 1',
      'SELECT add1(1) AS r',
      'CREATE MACRO lake.main.add2(x) AS x + 2',
      'SELECT lake.main.add2(1) AS r',
      'CREATE MACRO tbl(n) AS TABLE SELECT range AS i FROM range(n)',
      'SELECT count(*) AS r FROM tbl(3)',
      'CREATE TEMP MACRO tadd(x) AS x + 10',
      'SELECT tadd(1) AS r',
      'CREATE VIEW v AS SELECT * FROM t WHERE id > 1',
      'SELECT count(*) AS r FROM v',
      'CREATE OR REPLACE VIEW v AS SELECT * FROM t',
      'CREATE OR REPLACE TABLE t2 AS SELECT * FROM t',
      'CREATE OR REPLACE TABLE t2 AS SELECT * FROM t WHERE id = 1',
      "UPDATE t SET v = 'z' WHERE id = 1",
      'DELETE FROM t WHERE id = 2',
      'TRUNCATE t2',
      "INSERT OR REPLACE INTO t VALUES (1, 'q')",
      "INSERT INTO t VALUES (1, 'q') ON CONFLICT DO NOTHING",
      "INSERT INTO t VALUES (1, 'q') ON CONFLICT (id) DO UPDATE SET v = excluded.v",
      "MERGE INTO t USING (SELECT 1 AS id, 'm' AS v UNION ALL SELECT 5, 'n') AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.v)",
      'SELECT list(id ORDER BY id) AS ids, list(v ORDER BY id) AS vs FROM t',
      'ALTER TABLE t ADD COLUMN w INTEGER',
      'ALTER TABLE t ADD COLUMN w2 INTEGER DEFAULT 7',
      'ALTER TABLE t DROP COLUMN w',
      'ALTER TABLE t RENAME COLUMN v TO vv',
      'ALTER TABLE t ALTER COLUMN id TYPE BIGINT',
      'ALTER TABLE t ALTER COLUMN vv SET NOT NULL',
      'ALTER TABLE t RENAME TO t_renamed',
      'ALTER TABLE t_renamed ADD PRIMARY KEY (id)',
      "COMMENT ON TABLE t_renamed IS 'hello'",
      "CREATE TYPE mood AS ENUM ('a', 'b')",
      "CREATE TABLE en (m ENUM('a', 'b'))",
      'CREATE TEMP TABLE tt AS SELECT 1 AS x',
      'SELECT x FROM tt',
      "SELECT database_name, schema_name FROM duckdb_tables() WHERE table_name = 'tt'",
      'CREATE TABLE c (id VARCHAR, name VARCHAR)',
      "COPY c FROM '/tmp/lk/in.csv' (HEADER, IGNORE_ERRORS)",
      'SELECT count(*) AS r FROM c',
      "CREATE TABLE r AS SELECT * FROM read_csv('/tmp/lk/in.csv', header = true, all_varchar = true, store_rejects = true, rejects_table = 'rj', rejects_scan = 'rs')",
      'SELECT count(*) AS r FROM rj',
      "SELECT database_name, schema_name, table_name, temporary FROM duckdb_tables() WHERE table_name IN ('rj', 'rs')",
      "COPY (SELECT * FROM t_renamed) TO '/tmp/lk/out.parquet'",
      'CREATE TABLE h (x HUGEINT, d DECIMAL(38,2), u UTINYINT, ts TIMESTAMPTZ, iv INTERVAL, l INTEGER[], s STRUCT(a INT), m MAP(VARCHAR, INT), j JSON, uu UUID, b BLOB, bit BIT, un UNION(a INT, b VARCHAR))',
      'CREATE TABLE h2 AS SELECT 1::HUGEINT AS x',
      'SET preserve_insertion_order = false',
      'CHECKPOINT',
      'VACUUM',
      'ANALYZE',
      'DROP SCHEMA IF EXISTS nope',
      'CREATE SCHEMA s1',
      'CREATE TABLE s1.x (i INT)',
      'DROP SCHEMA s1',
      'DROP SCHEMA s1 CASCADE',
      "EXPORT DATABASE '/tmp/lk/export'",
    ];
for (const s of stmts) {
  const r = await a.run(s);
  console.log(
    `${r.ok ? 'OK  ' : 'FAIL'} ${s}${r.ok ? (r.rows?.length ? '  -> ' + JSON.stringify(r.rows).slice(0, 200) : '') : '\n     ' + r.error!.replace(/\n/g, '\n     ')}`,
  );
}
await a.close();
// macros persisted? (new process)
const b = await startClient(ext);
await b.ok(attachSql(cat, 'lake'));
await b.ok('USE lake');
for (const s of [
  'SELECT add1(1) AS r',
  'SELECT count(*) AS r FROM tbl(3)',
  'SELECT tadd(1) AS r',
  'SELECT count(*) AS r FROM v',
  "SELECT function_name, database_name, schema_name FROM duckdb_functions() WHERE function_name IN ('add1','add2','tbl','tadd')",
]) {
  const r = await b.run(s);
  console.log('new process:', s, r.ok ? JSON.stringify(r.rows) : r.error);
}
await b.close();
