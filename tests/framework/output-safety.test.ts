// What ducksteps writes where people read it: no secret in any file under logs/ or on the console, and no
// control character from the data reaching the terminal (an OSC 52 clipboard write, a clear-screen, colours).
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project } from './helpers.js';

/** Every file under a folder, with its text. */
function filesUnder(dir: string): Array<[string, string]> {
  return readdirSync(dir).flatMap((name): Array<[string, string]> => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [[path, readFileSync(path, 'utf8')]];
  });
}

t.test('env() secrets and a DUCKSTEPS_PG_URL used in a step reach no file under logs/ (lineage cache, compiled SQL, CSV logs, report) nor the console', async (t) => {
  const token = 'tok-9f8e7d6c';
  const url = 'postgres://app:pg-pass-4b3a@db.internal:5432/analytics';
  const dir = project(t, undefined, {
    sql: {
      '01_a': { 'a.sql': `CREATE TABLE s AS SELECT '{{ env("DUCKSTEPS_TEST_TOKEN") }}' AS token;` },
      '02_pg': { 'a.sql': `SELECT 1;\nATTACH '{{ env("DUCKSTEPS_PG_URL") }}' AS pg (TYPE postgres, READ_ONLY);` },
    },
  });
  const run = await cli(dir, [], { DUCKSTEPS_TEST_TOKEN: token, DUCKSTEPS_PG_URL: url });
  t.equal(run.exitCode, 1, 'the ATTACH fails (no postgres extension here): its statement is printed and logged');
  t.match(run.stdout, /ATTACH '\*\*\*' AS pg/, 'the statement is shown, with the URL masked');
  const leaks = filesUnder(join(dir, 'logs')).filter(([, text]) => text.includes(token) || text.includes('pg-pass-4b3a') || text.includes('db.internal')).map(([path]) => path);
  t.same(leaks, [], 'no file under logs/ holds a secret');
  t.notMatch(run.stdout + run.stderr, /tok-9f8e7d6c|pg-pass-4b3a|db\.internal/);
  t.ok(readFileSync(join(dir, 'logs/compiled/lineage-cache.json'), 'utf8').length > 2, 'the lineage cache was written');
});
