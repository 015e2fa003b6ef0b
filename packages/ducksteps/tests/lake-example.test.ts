// The example pipeline on a DuckLake (catalog in a real PostgreSQL): generate, incremental batches through a
// failed step and a kill -9, gates, publish to files and PostgreSQL, the report; the final tables equal one
// full refresh on a DuckDB file, and the catalog password is in no log.
import t from 'tap';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, EXAMPLE_TABLES, exampleCopy, exampleDifferences, printed } from './helpers.js';
import { LAKE_ENV, lakeServer, newLake, scratch } from './lake-server.js';

const SMALL = ['--var', 'orders=20000'];
/** Rows of each table in the lake and not in the DuckDB file, and the other way round. */
async function differences(lake: { db: string; dataPath: string }, file: string): Promise<Record<string, number>> {
  const db = await scratch();
  try {
    process.env.PGPASSWORD = 'secret-pw';
    await db.run(`ATTACH '${lake.db.replace(/ password=\S+/, '')}' AS a (DATA_PATH '${lake.dataPath}/', READ_ONLY)`);
    await db.run(`ATTACH '${file}' AS b (READ_ONLY)`);
    return await exampleDifferences(db);
  } finally {
    db.close();
  }
}

t.test(
  'the example on a lake, day by day through a failed step and a kill -9, gives the tables of one full refresh on a DuckDB file; gates, publish and the report work',
  async (t) => {
    const root = t.testdir();
    const lake = await newLake(t, root);
    const pg = await lakeServer(t);
    await pg.query('CREATE DATABASE published');
    const publishUrl = pg.url.replace(/\/postgres$/, '/published');
    const { default: pgClient } = await import('pg');
    const c = new pgClient.Client({ connectionString: publishUrl });
    await c.connect();
    await c.query('CREATE SCHEMA ml');
    await c.end();
    const inc = exampleCopy(root, 'incremental');
    const env = { ...LAKE_ENV, DUCKSTEPS_PG_URL: publishUrl };
    const run = (n: number, extra: string[] = []) =>
      cli(inc, ['--db', lake.db, '--data-path', lake.dataPath, ...SMALL, '--var', `days=${n}`, ...extra], env);
    const first = await run(2);
    t.equal(first.exitCode, 0, first.stdout + first.stderr);
    t.match(first.stdout, /assertions? gated it/, 'gates ran inside the steps');
    t.match(first.stdout, /\n✔ publish: 5 ok\n/, 'published to PostgreSQL (the files and both tables)');
    t.ok(
      existsSync(join(inc, 'output/daily_revenue.csv')) && existsSync(join(inc, 'logs/report.html')),
      'files published, report written',
    );
    const enrich = join(inc, 'sql/04_enrich/01_orders_enriched.sql');
    const good = readFileSync(enrich, 'utf8');
    writeFileSync(enrich, `${good}\nSELECT * FROM no_such_table;\n`);
    t.equal((await run(4)).exitCode, 1, 'days 3-4: enrich fails after extract and quality committed the batch');
    writeFileSync(enrich, good);
    t.equal((await run(4)).exitCode, 0, 'fixed: the batch finishes from enrich on');
    const victim = run(6, ['--verbose']); // --verbose: a line as each step starts, to act on
    await printed(victim, '▶ 04_enrich');
    victim.kill('SIGKILL');
    await victim.catch(() => undefined);
    t.equal((await run(6)).exitCode, 0, 'after kill -9 of the driver, the next run finishes days 5-6');
    t.equal((await run(7, ['--batch-size', '1'])).exitCode, 0, 'day 7');

    const full = exampleCopy(root, 'full');
    t.equal(
      (await cli(full, [...SMALL, '--var', 'days=7', '--full-refresh'])).exitCode,
      0,
      'one --full-refresh over days 1-7 on a DuckDB file',
    );
    t.same(
      await differences(lake, join(full, 'data/warehouse.duckdb')),
      Object.fromEntries(EXAMPLE_TABLES.map((name) => [name, 0])),
      'every table equal, row for row',
    );
    t.same(
      await lake.query('SELECT count(*) AS files, count(DISTINCT path) AS paths FROM ducksteps.loaded_files'),
      [{ files: 7, paths: 7 }],
      'each day file loaded exactly once',
    );
    const logs = readdirSync(join(inc, 'logs')).filter(
      (f) => f.endsWith('.csv') || f.endsWith('.json') || f.endsWith('.html'),
    );
    t.same(
      logs.filter((f) => readFileSync(join(inc, 'logs', f), 'utf8').includes('secret-pw')),
      [],
      'the catalog password is in no log',
    );
  },
);
