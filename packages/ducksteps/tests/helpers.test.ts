// The shared test helpers fail a test instead of hanging it or passing it: printed() rejects when the CLI
// ends without printing what a test waits for; ledgerTables() reads 0 only for a database never written.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ledgerTables, printed, project } from './helpers.js';

t.test('printed() resolves on the text, and rejects with the output when the CLI ends without it', async (t) => {
  const dir = project(t);
  await t.resolves(printed(cli(dir, ['--help']), 'usage: ./run.sh'), 'the text, printed');
  await t.rejects(
    printed(cli(dir, ['frobnicate']), '▶ 01_x'),
    /the CLI ended \(exit code 2\) without printing "▶ 01_x":[\s\S]*unknown command "frobnicate"/,
  );
});

t.test('ledgerTables(): 0 for a database file that does not exist; a file DuckDB cannot read fails', async (t) => {
  const dir = project(t);
  t.equal(await ledgerTables(join(dir, 'data/none.duckdb')), 0);
  writeFileSync(join(dir, 'data/broken.duckdb'), 'not a database');
  await t.rejects(ledgerTables(join(dir, 'data/broken.duckdb')), 'not counted as "nothing committed"');
});
