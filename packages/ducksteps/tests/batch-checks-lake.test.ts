// On a DuckLake (catalog in a real PostgreSQL) the gates check the batch as on a DuckDB file: the last passes
// live in the lake's ledger, the batch column is read from the lake's catalog, and a batch that breaks a check
// still fails its gate.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project } from './helpers.js';
import { LAKE_ENV, newLake } from './lake-server.js';
import { checksFiles, gates } from './batch-checks-project.js';

t.test('a lake: the second batch checks only its rows; a batch that breaks a check fails its gate', async (t) => {
  const dir = project(t, undefined, checksFiles('error'));
  const lake = await newLake(t, dir);
  const args = ['--db', lake.db, '--data-path', lake.dataPath];
  const day = (n: number, csv: string) => writeFileSync(join(dir, `data/landing/ev/d${n}.csv`), csv);
  day(1, 'id,v,pid\n1,a,1\n2,b,2\n');
  t.equal((await cli(dir, args, LAKE_ENV)).exitCode, 0);
  day(2, 'id,v,pid\n3,a,3\n');
  const good = await cli(dir, args, LAKE_ENV);
  t.equal(good.exitCode, 0, good.stdout);
  t.match(good.stdout, /8 assertions gated it \(8 on the batch's rows only\)/);
  day(3, 'id,v,pid\n1,zz,99\n');
  const bad = await cli(dir, args, LAKE_ENV);
  t.equal(bad.exitCode, 1, 'the batch is rolled back');
  const { results, scopes } = await gates(dir);
  t.same(scopes, [...Array(8).fill('table'), ...Array(16).fill('batch')]);
  t.same(
    results.slice(16).map((r) => r.split(' ')[1]),
    ['fail', 'pass', 'pass', 'fail', 'fail', 'pass', 'fail', 'fail'],
  );
  const passes = await lake.query('SELECT count(*) AS n FROM ducksteps.gate_passes');
  t.same(passes, [{ n: 8n }], "the second batch's passes, kept by the lake's ledger");
});
