// --defer on a DuckLake: prod and dev are two lakes whose catalogs live in one PostgreSQL server; dev builds the
// steps changed since prod built them and reads the rest from prod's last snapshot, attached read-only.
import t from 'tap';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, read, readCsv } from './helpers.js';
import { LAKE_ENV, newLake } from './lake-server.js';

const STEPS = {
  '01_base': {
    'a.sql':
      'CREATE SCHEMA IF NOT EXISTS core;\nCREATE OR REPLACE TABLE core.base AS SELECT range AS id, md5(range::VARCHAR) AS pad FROM range(200000);',
  },
  '02_mid': {
    'a.sql':
      'CREATE SCHEMA IF NOT EXISTS mart;\nCREATE OR REPLACE TABLE mart.mid AS\nSELECT id % 10 AS k, count(*) AS n FROM core.base GROUP BY ALL;',
  },
  '03_report': {
    'a.sql': 'CREATE OR REPLACE TABLE mart.report AS\nSELECT count(*) AS groups, sum(n) AS total FROM mart.mid;',
  },
};

/** Every file under a folder with its SHA-256, and the total size. */
function folder(dir: string): { hash: string; bytes: number } {
  const hash = createHash('sha256');
  let bytes = 0;
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        hash.update(`${path}\n`).update(readFileSync(path));
        bytes += statSync(path).size;
      }
    }
  };
  walk(dir);
  return { hash: hash.digest('hex'), bytes };
}

t.test('--defer prod on two lakes in one PostgreSQL: dev builds only what changed, prod untouched', async (t) => {
  const root = project(t, undefined, {
    sql: STEPS,
    publish: { 'report.sql': '-- publish: file output/report.csv\nSELECT * FROM mart.report' },
    tests: { 'report.sql': '-- name: report_total\nSELECT * FROM mart.report WHERE total <> 200000' },
  });
  const prod = await newLake(t, root);
  const dev = await newLake(t, root);
  const targets = {
    prod: { database: prod.db, dataPath: prod.dataPath },
    dev: { database: dev.db, dataPath: dev.dataPath, publish: false, defer: 'prod' },
  };
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'envs', ducksteps: { target: 'prod', targets } }));
  const built = await cli(root, [], LAKE_ENV);
  t.equal(built.exitCode, 0, built.stderr);
  const snapshots = "SELECT snapshot_id, changes::VARCHAR AS changes FROM ducklake_snapshots('lake') ORDER BY 1";
  const before = { files: folder(prod.dataPath), snapshots: await prod.query(snapshots) };
  writeFileSync(join(root, 'output/report.csv'), 'the published file\n');
  writeFileSync(join(root, 'sql/02_mid/a.sql'), read(join(root, 'sql/02_mid/a.sql')).replace('id % 10', 'id % 7'));
  const run = await cli(root, ['--target', 'dev', '--select', 'state:modified+', '--defer', 'prod'], LAKE_ENV);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  const steps = (await readCsv(join(root, 'logs/dev/run_log.csv'))).filter((r) => /^\d/.test(String(r.step)));
  t.same(
    steps.map((r) => r.step),
    ['02_mid', '03_report'],
    'the changed step and its reader',
  );
  t.same(await dev.query('SELECT groups, total FROM lake.mart.report'), [{ groups: 7, total: '200000' }]);
  const tables = await dev.query(
    "SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name <> 'ducksteps' UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE database_name = 'lake' ORDER BY 1",
  );
  t.same(
    tables.map((r) => r.t),
    ['mart.mid', 'mart.report'],
    'core.base read from prod, not copied',
  );
  const [devBytes, prodBytes] = [folder(dev.dataPath).bytes, folder(prod.dataPath).bytes];
  t.ok(devBytes * 4 < prodBytes, `dev's data (${devBytes} B) is small beside prod's (${prodBytes} B)`);
  t.same(
    { files: folder(prod.dataPath), snapshots: await prod.query(snapshots) },
    before,
    "prod's files and snapshots unchanged",
  );
  t.equal(read(join(root, 'output/report.csv')), 'the published file\n', 'nothing published');
});
