// One table, however it is spelled: lineage names tables as DuckDB resolves them — the warehouse's catalog and
// `main` schema implied or written, quoted or not, any case, and a step's USE / SET search_path moving where
// its unqualified names go — so gates, --select STEP+ and --jobs see `main.t`, `warehouse.t`, `"T"` and `t`
// as one table (and `t` after `USE core` as core.t). On a lake with --jobs: tests/table-names-lake.test.ts.
import t from 'tap';
import { join } from 'node:path';
import { cli, project, query } from './helpers.js';
import { lineageOf } from '../lib/render/lineage.js';
import { projectLineage } from '../lib/render/project-lineage.js';
import { homeOf } from '../lib/warehouse.js';

const db = (dir: string) => join(dir, 'data/warehouse.duckdb');
const BASE = {
  '01_base': {
    'a.sql':
      'CREATE SCHEMA core;\nCREATE TABLE t AS SELECT * FROM (VALUES (1, 10), (2, 20)) AS x(id, v);\nCREATE TABLE core.t AS SELECT * FROM t;',
  },
};

t.test(
  'a step and an assertion naming one table differently: the assertion gates the step that writes it',
  async (t) => {
    // [case, the step's SQL, the assertion, the table it breaks]
    const cases: Array<[string, string, string, string]> = [
      ['main.t written, t checked', 'UPDATE main.t SET v = -1 WHERE id = 1;', 'SELECT * FROM t WHERE v < 0', 't'],
      ['t written, main.t checked', 'UPDATE t SET v = -1 WHERE id = 1;', 'SELECT * FROM main.t WHERE v < 0', 't'],
      ['catalog.t written', 'UPDATE warehouse.t SET v = -1 WHERE id = 1;', 'SELECT * FROM t WHERE v < 0', 't'],
      [
        'catalog.main.t written, main.t checked',
        'DELETE FROM warehouse.main.t WHERE id = 2;',
        'SELECT * FROM (SELECT count(*) AS n FROM main.t) WHERE n < 2',
        't',
      ],
      ['quoted upper case written', 'UPDATE "T" SET "V" = -1 WHERE id = 1;', 'SELECT * FROM t WHERE v < 0', 't'],
      ['upper case checked quoted', 'UPDATE T SET v = -1 WHERE id = 1;', 'SELECT * FROM "t" WHERE v < 0', 't'],
      [
        'USE core, then t',
        'USE core;\nUPDATE t SET v = -1 WHERE id = 1;',
        'SELECT * FROM core.t WHERE v < 0',
        'core.t',
      ],
      [
        'USE catalog.schema, then t',
        'USE warehouse.core;\nUPDATE t SET v = -1 WHERE id = 1;',
        'SELECT * FROM warehouse.core.t WHERE v < 0',
        'core.t',
      ],
      [
        "SET search_path = 'core', then t",
        "SET search_path = 'core';\nINSERT INTO t VALUES (3, -3);",
        'SELECT * FROM core.t WHERE v < 0',
        'core.t',
      ],
      [
        'USE core, then main.t; the gate reads t as the assertions after the steps do',
        'USE core;\nUPDATE main.t SET v = -1 WHERE id = 1;',
        'SELECT * FROM t WHERE v < 0',
        't',
      ],
    ];
    for (const [name, sql, check, table] of cases) {
      const dir = project(t, undefined, {
        sql: { ...BASE, '02_change': { 'a.sql': sql } },
        tests: { 'c.sql': `-- name: guard\n${check};` },
      });
      const run = await cli(dir);
      t.equal(run.exitCode, 1, `${name}: the run fails`);
      t.match(
        run.stdout,
        /✘ 02_change failed[\s\S]*assertion gating this step failed: guard/,
        `${name}: the assertion gated the writer, 02_change`,
      );
      t.same(
        await query(db(dir), `SELECT id, v FROM ${table} ORDER BY id`),
        [
          { id: 1, v: 10 },
          { id: 2, v: 20 },
        ],
        `${name}: ${table} was rolled back`,
      );
    }
  },
);

t.test("after USE core a step's t is core.t: an assertion over the main t does not gate it", async (t) => {
  const dir = project(t, undefined, {
    sql: { ...BASE, '02_change': { 'a.sql': 'USE core;\nUPDATE t SET v = -1 WHERE id = 1;' } },
    tests: { 'c.sql': '-- name: main_guard\nSELECT * FROM t WHERE v < 0;' },
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stdout);
  t.match(run.stdout, /✔ 01_base ok in [\d.]+ s, .*1 assertion gated it/);
  t.same(await query(db(dir), 'SELECT v FROM core.t WHERE id = 1'), [{ v: -1 }], 'core.t changed');
  t.same(await query(db(dir), 'SELECT v FROM t WHERE id = 1'), [{ v: 10 }], 'the main t did not');
});

t.test('--select STEP+ follows a table however its readers spell it', async (t) => {
  const dir = project(t, undefined, {
    sql: {
      '01_base': {
        'a.sql': 'CREATE SCHEMA core;\nCREATE TABLE t AS SELECT 1 AS x;\nCREATE TABLE f AS SELECT 1 AS x;',
      },
      '02_main': { 'a.sql': 'CREATE TABLE a AS SELECT * FROM main.t;' },
      '03_quoted': { 'a.sql': 'CREATE TABLE b AS SELECT * FROM "T";' },
      '04_catalog': { 'a.sql': 'CREATE TABLE c AS SELECT * FROM warehouse.main.t;' },
      '05_core': { 'a.sql': 'CREATE TABLE core.u AS SELECT 1 AS x;' },
      '06_use': { 'a.sql': 'USE core;\nCREATE TABLE main.d AS SELECT * FROM u, f;' },
      '07_path': { 'a.sql': "SET search_path = 'core,main';\nCREATE TABLE main.e AS SELECT * FROM u;" },
      '08_other': { 'a.sql': 'CREATE TABLE g AS SELECT 1 AS x;' },
    },
  });
  const base = await cli(dir, ['compile', '--select', '01_base+']);
  t.equal(base.exitCode, 0, base.stderr);
  t.match(
    base.stdout,
    /run plan:\n {2}1\. step 01_base\n {2}2\. step 02_main\n {2}3\. step 03_quoted\n {2}4\. step 04_catalog\n {2}5\. step 06_use\n {2}6\. assertions/,
    'main.t, "T" and warehouse.main.t are the t 01_base writes; after USE core, f is the main f (no step writes a core.f)',
  );
  const core = await cli(dir, ['compile', '--select', '05_core+']);
  t.match(
    core.stdout,
    /run plan:\n {2}1\. step 05_core\n {2}2\. step 06_use\n {2}3\. step 07_path\n {2}4\. assertions/,
    'after USE core, and with core first on the search path, u is core.u',
  );
});

t.test('the names a lineage gives: one per table, relative to the warehouse', async (t) => {
  const file = homeOf({ engine: 'duckdb', path: '/p/data/my.warehouse.duckdb' });
  t.equal(file.catalog, 'my', "DuckDB names a file's catalog after its name up to the first dot");
  const l = lineageOf(
    [
      `CREATE TABLE "Main"."T" AS SELECT * FROM my.main.a JOIN MY.b USING (id) JOIN main.c USING (id) JOIN "D" USING (id);
USE core;
INSERT INTO x SELECT * FROM main.e JOIN my.f USING (id) JOIN g USING (id);
ATTACH 'ext.duckdb' AS other;
SET search_path = 'other.s';
CREATE TABLE y AS SELECT 1;
RESET search_path;
CREATE TABLE z AS SELECT 1;
UPDATE other.w SET v = 1;
USE other;
CREATE TABLE q AS SELECT 1;
DETACH other;
RESET search_path;
USE other;
CREATE TABLE r AS SELECT 1;
ATTACH IF NOT EXISTS 'data/Ext2.v1.duckdb';
CREATE TABLE ext2.k AS SELECT 1;`,
    ],
    undefined,
    file,
  );
  t.same(
    l.writes,
    ['core.x', 'ext2.main.k', 'other.main.q', 'other.main.w', 'other.r', 'other.s.y', 't', 'z'],
    'where each CREATE and write goes',
  );
  t.same(l.reads, ['a', 'b', 'c', 'core.f', 'core.g', 'd', 'e'], 'what each read names');
  const steps = projectLineage(
    new Map([
      ['01_a', ['CREATE SCHEMA core;\nCREATE TABLE t AS SELECT 1 AS x;\nCREATE TABLE core.u AS SELECT 1 AS x;']],
      [
        '02_b',
        ['USE core;\nUPDATE t SET x = 2;\nUPDATE u SET x = 2;\nCREATE TABLE v AS SELECT * FROM t JOIN u USING (x);'],
      ],
    ]),
    undefined,
    file,
  );
  t.same(
    steps.get('02_b')!.writes,
    ['core.u', 'core.v', 't'],
    'after USE core, t is the main t (no step creates a core.t), u is core.u; a new table goes to core',
  );
  t.equal(steps.home, file, 'a project lineage says what its names are relative to');
  t.equal(
    homeOf({ engine: 'ducklake', catalog: 'x', catalogKind: 'duckdb', dataPath: '/d/' }).catalog,
    'lake',
    "a lake's catalog is the name it is attached as",
  );
});
