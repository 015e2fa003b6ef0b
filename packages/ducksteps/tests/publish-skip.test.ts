// Publish only what changed (docs/publish.md, "Up to date targets"): a file target whose rows are unchanged
// since its last delivery, and whose file still holds that delivery, is not written again; a changed table it
// reads (through a view), a file changed or removed since, or --recheck delivers it again.
import t from 'tap';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, read } from './helpers.js';

const tree = () => ({
  'package.json': JSON.stringify({ name: 'pub', ducksteps: {} }),
  sql: {
    '01_load': { '01.sql': "CREATE OR REPLACE TABLE a AS SELECT * FROM read_csv('data/in/a.csv', header = true);" },
    '02_view': { '01.sql': 'CREATE OR REPLACE VIEW v AS SELECT x * 2 AS y FROM a;' },
    '03_other': { '01.sql': "CREATE OR REPLACE TABLE o AS SELECT * FROM read_csv('data/in/o.csv', header = true);" },
  },
  publish: {
    '01_v.sql': '-- publish: file output/v.csv\nSELECT * FROM v ORDER BY y',
    '02_o.sql': '-- publish: file output/o.csv\nSELECT * FROM o ORDER BY ALL',
  },
  data: { in: { 'a.csv': 'x\n1\n2\n', 'o.csv': 'z\n7\n' } },
});

/** Each target's status and note in this run (--json). */
async function published(dir: string, args: string[] = []) {
  const run = await cli(dir, ['--json', ...args]);
  const doc = JSON.parse(run.stdout) as { publish: Array<{ destination: string; status: string; note?: string }> };
  return Object.fromEntries(
    doc.publish.map((p) => [p.destination, p.note?.startsWith('up to date') ? 'up to date' : p.status]),
  );
}

t.test('a file target is delivered again only when what it reads or the file itself changed', async (t) => {
  const dir = project(t, undefined, tree());
  t.same(await published(dir), { 'output/v.csv': 'ok', 'output/o.csv': 'ok' }, 'the first run delivers both');
  const written = statSync(join(dir, 'output/v.csv')).mtimeMs;
  t.same(await published(dir), { 'output/v.csv': 'up to date', 'output/o.csv': 'up to date' }, 'nothing changed');
  t.equal(statSync(join(dir, 'output/v.csv')).mtimeMs, written, 'the file is not written again');
  writeFileSync(join(dir, 'data/in/a.csv'), 'x\n5\n');
  t.same(
    await published(dir),
    { 'output/v.csv': 'ok', 'output/o.csv': 'up to date' },
    'a table it reads through a view changed',
  );
  t.equal(read(join(dir, 'output/v.csv')), 'y\n10\n');
  writeFileSync(join(dir, 'output/o.csv'), 'z\n0\n');
  t.same(await published(dir), { 'output/v.csv': 'up to date', 'output/o.csv': 'ok' }, 'its file was changed since');
  t.equal(read(join(dir, 'output/o.csv')), 'z\n7\n');
  rmSync(join(dir, 'output/v.csv'));
  t.same(await published(dir), { 'output/v.csv': 'ok', 'output/o.csv': 'up to date' }, 'its file was removed');
  t.same(await published(dir, ['--recheck']), { 'output/v.csv': 'ok', 'output/o.csv': 'ok' }, '--recheck delivers all');
});
