// Live progress of a long statement: DuckDB's own percentage and rows, a line every heartbeat when the output
// is not a terminal, one line rewritten in place (carriage returns, no escape codes) on a terminal.
import t from 'tap';
import { execa } from 'execa';
import { join } from 'node:path';
import { cli, project, REPO, CLI } from './helpers.js';

const SLOW = {
  '01_big': { 'a.sql': 'CREATE OR REPLACE TABLE big AS SELECT range AS x FROM range(25000000);' },
  '02_scan': {
    'a.sql': 'SELECT 1;\nCREATE OR REPLACE TABLE hashed AS SELECT x, md5(CAST(x AS VARCHAR)) AS h FROM big;\nSELECT 2;',
  },
};

t.test("a statement running more than 2 s shows its file:line, DuckDB's percentage and rows as it runs", async (t) => {
  const dir = project(t, undefined, { sql: SLOW });
  const run = await cli(dir, [], { DUCKSTEPS_HEARTBEAT: '1000' });
  t.equal(run.exitCode, 0);
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('… 02_scan 2/3 a.sql:2'));
  t.ok(lines.length >= 1, 'progress lines for the slow statement');
  t.match(lines.at(-1), /^… 02_scan 2\/3 a\.sql:2 \d+% [\d,]+ rows [\d.]+ s$/);
  t.notMatch(run.stdout, /\r|\x1b/, 'no control codes when the output is not a terminal');
});

t.test(
  'on a terminal the progress line is rewritten in place, with carriage returns only',
  { skip: process.platform !== 'linux' && 'uses util-linux script(1) for a terminal' },
  async (t) => {
    const dir = project(t, undefined, { sql: SLOW });
    const command = `${process.execPath} ${CLI}`;
    const run = await execa('script', ['-qec', command, '/dev/null'], {
      cwd: dir,
      reject: false,
      env: { NO_COLOR: '1', COLUMNS: '120' },
    });
    t.equal(run.exitCode, 0, run.stdout.slice(-500));
    t.match(run.stdout, /\r… 02_scan 2\/3 a\.sql:2 \d+% [\d,]+ rows [\d.]+ s/, 'updated in place');
    t.notMatch(run.stdout, /\x1b\[K/, 'no clear-line escape codes');
    t.match(run.stdout, /✔ 02_scan ok in/);
  },
);
