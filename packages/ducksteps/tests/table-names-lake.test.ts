// One table, however it is spelled, on a DuckLake with its catalog in PostgreSQL: --jobs runs a step that reads
// a table another step writes only once that one committed, whether it names it `main.t`, `lake.t`,
// `lake.main.t`, `"T"`, or `u` after `USE core` / `SET search_path = 'core'` (tests/table-names.test.ts: gates
// and --select on a DuckDB file).
import t from 'tap';
import { cli, project } from './helpers.js';
import { LAKE_ENV, newLake } from './lake-server.js';

const READERS = {
  '01_write': {
    'a.sql':
      'CREATE SCHEMA IF NOT EXISTS core;\nCREATE OR REPLACE TABLE t AS SELECT range AS x FROM range({{ vars.n }});\nCREATE OR REPLACE TABLE core.u AS SELECT range AS x FROM range({{ vars.n }});\nSELECT count(*) FROM range(60000000);',
  },
  '02_main': { 'a.sql': 'CREATE OR REPLACE TABLE r_main AS SELECT * FROM main.t;' },
  '03_catalog': { 'a.sql': 'CREATE OR REPLACE TABLE r_catalog AS SELECT * FROM lake.t;' },
  '04_full': { 'a.sql': 'CREATE OR REPLACE TABLE r_full AS SELECT * FROM lake.main.t;' },
  '05_quoted': { 'a.sql': 'CREATE OR REPLACE TABLE r_quoted AS SELECT * FROM "T";' },
  '06_use': { 'a.sql': 'USE core;\nCREATE OR REPLACE TABLE main.r_use AS SELECT * FROM u;' },
  '07_path': { 'a.sql': "SET search_path = 'core';\nCREATE OR REPLACE TABLE main.r_path AS SELECT * FROM u;" },
};

t.test(
  '--jobs on a lake: a step reading the table another writes, spelled otherwise, waits for it and reads what it committed',
  async (t) => {
    const dir = project(t, undefined, { sql: READERS });
    const lake = await newLake(t, dir);
    const args = ['--db', lake.db, '--data-path', lake.dataPath];
    t.equal((await cli(dir, [...args, '--var', 'n=1'], LAKE_ENV)).exitCode, 0);
    const run = await cli(dir, [...args, '--var', 'n=3', '--jobs', '7', '--verbose'], LAKE_ENV);
    t.equal(run.exitCode, 0, run.stdout + run.stderr);
    const at = (text: string) => run.stdout.indexOf(text);
    for (const reader of Object.keys(READERS).slice(1)) {
      t.ok(at(`▶ ${reader} started`) > at('✔ 01_write ok'), `${reader} started once 01_write had committed`);
      const table = `r_${reader.slice(3)}`;
      t.same(await lake.query(`SELECT count(*) AS n FROM ${table}`), [{ n: 3 }], `${table}: what 01_write committed`);
    }
  },
);
