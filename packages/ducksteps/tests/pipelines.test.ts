// Two pipelines on one warehouse keep separate ledgers (package.json "name" says which pipeline a project is):
// a file of the same name (or the same content) in each is loaded by each, a full refresh of one leaves the
// other's batches alone. A ledger made by the previous version (no pipeline column) keeps working unedited
// and is migrated in place by the first step that writes it. Here on a DuckDB file; lake-trust.test.ts on a lake.
import t from 'tap';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, query } from './helpers.js';
import { openDatabase } from '../lib/engines/duckdb/database.js';
import { OLD_LEDGER, pipelineProject } from './pipelines.js';

const values = async (db: string, table: string) =>
  (await query(db, `SELECT string_agg(v::VARCHAR, ',' ORDER BY v) AS v FROM ${table}`))[0].v;

t.test(
  'two pipelines on one DuckDB file: each loads its own files, same names and same contents too; a full refresh of one leaves the other alone',
  async (t) => {
    const root = t.testdir();
    const db = join(root, 'shared.duckdb');
    const a = pipelineProject(root, 'pipe-a', 'ev_a', { 'a.csv': 'v\n1\n', 's.csv': 'v\n7\n' });
    const b = pipelineProject(root, 'pipe-b', 'ev_b', { 'a.csv': 'v\n2\n', 's.csv': 'v\n7\n' });
    const first = await cli(a, ['--db', db]);
    t.equal(first.exitCode, 0, first.stdout + first.stderr);
    const second = await cli(b, ['--db', db]);
    t.equal(second.exitCode, 0, second.stdout + second.stderr);
    t.match(second.stdout, /ev: 2 new files \(0 loaded/, "the other pipeline's files are not this one's");
    t.equal(await values(db, 'ev_b'), '2,7');
    const refresh = await cli(b, ['--db', db, '--full-refresh']);
    t.equal(refresh.exitCode, 0, refresh.stdout + refresh.stderr);
    t.equal(await values(db, 'ev_b'), '2,7', 'a full refresh rebuilds from its own files');
    const again = await cli(a, ['--db', db]);
    t.equal(again.exitCode, 0, again.stdout + again.stderr);
    t.match(again.stdout, /ev: nothing new \(2 loaded/, "the first pipeline's ledger is as it was");
    t.equal(await values(db, 'ev_a'), '1,7');
    t.same(await query(db, 'SELECT pipeline, count(*) AS n FROM ducksteps.loaded_files GROUP BY 1 ORDER BY 1'), [
      { pipeline: 'pipe-a', n: 2 },
      { pipeline: 'pipe-b', n: 2 },
    ]);
  },
);

t.test(
  'a DuckDB file whose ledger the previous version made keeps working: nothing loaded twice, the ledger migrated in place',
  async (t) => {
    const root = t.testdir();
    const dir = pipelineProject(root, 'shop', 'ev', { 'a.csv': 'v\n1\n' });
    const db = join(dir, 'data/warehouse.duckdb');
    t.equal((await cli(dir)).exitCode, 0);
    const old = await openDatabase(db);
    for (const sql of OLD_LEDGER) await old.run(sql);
    old.close();
    const same = await cli(dir);
    t.equal(same.exitCode, 0, same.stdout + same.stderr);
    t.match(same.stdout, /ev: nothing new \(1 loaded/, 'the old ledger is read as this pipeline’s');
    writeFileSync(join(dir, 'data/landing/b.csv'), 'v\n2\n');
    const next = await cli(dir);
    t.equal(next.exitCode, 0, next.stdout + next.stderr);
    t.equal(await values(db, 'ev'), '1,2', 'only the new file was loaded');
    t.same(
      await query(db, 'SELECT pipeline, count(*) AS n FROM ducksteps.loaded_files GROUP BY 1'),
      [{ pipeline: 'shop', n: 2 }],
      'the old rows are claimed by the pipeline that migrated them',
    );
  },
);

t.test(
  'a project without a name is its folder: moved, it stops and asks for a name rather than load its files again',
  async (t) => {
    const root = t.testdir();
    const dir = pipelineProject(root, 'shop', 'ev', { 'a.csv': 'v\n1\n' });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' } } })); // no name
    t.equal((await cli(dir)).exitCode, 0);
    const moved = join(root, 'shop-moved');
    cpSync(dir, moved, { recursive: true });
    const refused = await cli(moved);
    t.equal(refused.exitCode, 1, refused.stdout + refused.stderr);
    t.match(
      refused.stdout + refused.stderr,
      /this project has no "name" in package\.json, so its pipeline is its folder's name, "shop-moved", and the warehouse's ledger has batches of "shop" but none of "shop-moved"/,
    );
    t.match(refused.stdout + refused.stderr, /set "name": "shop" in package\.json/);
    t.equal(await values(join(moved, 'data/warehouse.duckdb'), 'ev'), '1', 'nothing loaded twice');
    writeFileSync(
      join(moved, 'package.json'),
      JSON.stringify({ name: 'shop', ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
    );
    const named = await cli(moved);
    t.equal(named.exitCode, 0, named.stdout + named.stderr);
    t.match(named.stdout, /ev: nothing new \(1 loaded/);
  },
);
