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

t.test(
  'env() secrets and a DUCKSTEPS_PG_URL used in a step reach no file under logs/ (lineage cache, compiled SQL, CSV logs, report) nor the console',
  async (t) => {
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
    const leaks = filesUnder(join(dir, 'logs'))
      .filter(([, text]) => text.includes(token) || text.includes('pg-pass-4b3a') || text.includes('db.internal'))
      .map(([path]) => path);
    t.same(leaks, [], 'no file under logs/ holds a secret');
    t.notMatch(run.stdout + run.stderr, /tok-9f8e7d6c|pg-pass-4b3a|db\.internal/);
    t.ok(
      readFileSync(join(dir, 'logs/compiled/lineage-cache.json'), 'utf8').length > 2,
      'the lineage cache was written',
    );
  },
);

const HOSTILE = '\u001b]52;c;aGVsbG8=\u0007\u001b[2J\u001b[31mred\r\u009b1m\u202egnp.exe';

t.test(
  'control characters from landing data are escaped on the console, in every view of it (samples, errors, list, --json)',
  async (t) => {
    const csv = `k,v\n"${HOSTILE}",1\nok,"x${HOSTILE}"\n`;
    const dir = project(t, undefined, {
      'package.json': JSON.stringify({ ducksteps: { inputs: { ev: 'data/landing/*.csv' }, gates: false } }), // the table commits; the assertions run after
      data: { landing: { 'a.csv': csv, [`evil\u001b[2J.csv`]: 'k,v\n' } },
      sql: {
        '01_load': {
          'a.sql':
            "-- ducksteps: incremental\nCREATE TABLE IF NOT EXISTS ev AS SELECT * FROM read_csv({{ batch.files.ev }}, header = true, delim = ',', quote = '\"', all_varchar = true) WHERE false;\nINSERT INTO ev SELECT * FROM read_csv({{ batch.files.ev }}, header = true, delim = ',', quote = '\"', all_varchar = true);",
        },
      },
      tests: {
        'k.sql':
          "-- severity: warn\nSELECT k FROM ev WHERE k <> 'ok';\n-- name: v_is_a_number\nSELECT CAST(v AS INTEGER) AS v FROM ev;",
      },
    });
    const listed = await cli(dir, ['list']);
    const run = await cli(dir, ['--verbose']); // --verbose: a warning's offending rows are printed too
    const quiet = await cli(dir);
    const json = await cli(dir, ['test', '--json']);
    for (const [name, out] of [
      ['list', listed],
      ['run', run],
      ['run, quiet', quiet],
      ['test --json', json],
    ] as const) {
      t.notMatch(
        out.stdout + out.stderr,
        /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/,
        `${name}: no raw control character reaches the terminal`,
      );
    }
    t.match(listed.stdout, 'evil\\x1b[2J.csv', 'a landing file name, escaped');
    t.match(
      run.stdout,
      '\\x1b]52;c;aGVsbG8=\\x07\\x1b[2J\\x1b[31mred\\r\\x9b1m\\u202egnp.exe',
      'an offending row, escaped',
    );
    t.match(
      run.stdout,
      /error: Conversion Error: Could not convert string 'x\\x1b\]52;c;aGVsbG8=\\x07/,
      'an error quoting the value, escaped',
    );
    t.match(json.stdout, /\\u009b1m/, '--json: C1 characters as \\u escapes');
    t.ok(JSON.parse(json.stdout), '--json is still JSON');
  },
);
