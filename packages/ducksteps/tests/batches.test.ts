// Incremental steps: exactly once whatever happened before, changed and odd files, batch size, archive.
import t, { type Test } from 'tap';
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, query, readCsv } from './helpers.js';

const SETTINGS = JSON.stringify({
  ducksteps: { inputs: { events: 'data/landing/ev/*.csv' }, archive: 'data/archive' },
});
const LOAD = `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS events (batch_id INTEGER, id INTEGER, v INTEGER);
{% if batch.full_refresh %}DELETE FROM events;{% endif %}
{% if batch.count.events %}
INSERT INTO events SELECT {{ batch.id }}, id, v FROM read_csv({{ batch.files.events }}, header = true, columns = {'id': 'INTEGER', 'v': 'INTEGER'});
{% endif %}`;
const TOTAL = `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS totals (batch_id INTEGER, n BIGINT, s HUGEINT);
{% if batch.full_refresh %}DELETE FROM totals;{% endif %}
INSERT INTO totals SELECT {{ batch.id }}, count(*), sum(v) FROM events WHERE batch_id = {{ batch.id }};`;

function eventsProject(t: Test, files: Record<string, string> = {}) {
  const dir = project(t, undefined, {
    'package.json': SETTINGS,
    sql: { '01_load': { '01.sql': LOAD }, '02_total': { '01.sql': TOTAL } },
  });
  mkdirSync(join(dir, 'data/landing/ev'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'data/landing/ev', name), text);
  return dir;
}
const drop = (dir: string, name: string, text: string) => writeFileSync(join(dir, 'data/landing/ev', name), text);
const db = (dir: string) => join(dir, 'data/warehouse.duckdb');
const ids = async (dir: string) => (await query(db(dir), 'SELECT id FROM events ORDER BY id')).map((r) => r.id);

t.test('each file is loaded once: a second run with nothing new changes nothing and says so per input', async (t) => {
  const dir = eventsProject(t, { 'a.csv': 'id,v\n1,10\n2,20\n', 'b.csv': 'id,v\n3,30\n' });
  const first = await cli(dir);
  t.equal(first.exitCode, 0, first.stdout);
  t.match(first.stdout, /· events: 2 new files \(0 loaded, 2 in data\/landing\/ev\/\*\.csv, 0 archived\)/);
  t.same(await ids(dir), [1, 2, 3]);
  const again = await cli(dir);
  t.equal(again.exitCode, 0);
  t.match(
    again.stdout,
    /· events: nothing new \(2 loaded, 0 in data\/landing\/ev\/\*\.csv, 2 archived\)\n✔ 01_load up to date: no new batch\n✔ 02_total up to date: no new batch/,
  );
  t.same(await ids(dir), [1, 2, 3], 'no row twice');
  t.same(readdirSync(join(dir, 'data/archive/events')).sort(), ['a.csv', 'b.csv'], 'loaded files were archived');
  const ledger = await query(
    db(dir),
    'SELECT path, size, length(sha256) AS sha, step FROM ducksteps.loaded_files ORDER BY path',
  );
  t.same(ledger, [
    { path: 'data/landing/ev/a.csv', size: 15, sha: 64, step: '01_load' },
    { path: 'data/landing/ev/b.csv', size: 10, sha: 64, step: '01_load' },
  ]);
  const rows = await readCsv(join(dir, 'logs/run_log.csv'));
  t.same(
    rows.filter((r) => r.step === '01_load').map((r) => [r.status, r.batch_id, r.batch_files]),
    [
      ['ok', '1', '2'],
      ['up to date', null, null],
    ],
  );
});

t.test(
  'a changed file is refused naming it, exit 1, nothing loaded; --full-refresh reloads everything as it is now',
  async (t) => {
    const dir = eventsProject(t, { 'a.csv': 'id,v\n1,10\n' });
    t.equal((await cli(dir)).exitCode, 0);
    renameSync(join(dir, 'data/archive/events/a.csv'), join(dir, 'data/landing/ev/a.csv')); // put back…
    drop(dir, 'a.csv', 'id,v\n1,11\n'); // …and change it
    drop(dir, 'b.csv', 'id,v\n2,20\n');
    const run = await cli(dir);
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      /landing file data\/landing\/ev\/a\.csv was loaded in batch 1 and has changed since \(sha256 \w{12}… → \w{12}…\)[\s\S]*hint: a loaded file must not change[\s\S]*--full-refresh/,
    );
    t.same(await ids(dir), [1], 'b.csv was not loaded either');
    const refresh = await cli(dir, ['--full-refresh']);
    t.equal(refresh.exitCode, 0, refresh.stdout);
    t.same(await query(db(dir), 'SELECT id, v FROM events ORDER BY id'), [
      { id: 1, v: 11 },
      { id: 2, v: 20 },
    ]);
    t.same(await query(db(dir), 'SELECT count(*) AS n, bool_and(full_refresh) AS fr FROM ducksteps.batches'), [
      { n: 1, fr: true },
    ]);
  },
);

t.test('empty and header-only files are recorded as loaded, .tmp files wait until renamed into place', async (t) => {
  const dir = eventsProject(t, {
    'a.csv': 'id,v\n1,10\n',
    'b.csv': 'id,v\n',
    'c.csv': '',
    'd.csv.tmp': 'id,v\n4,40\n',
  });
  t.equal((await cli(dir)).exitCode, 0);
  t.same(await ids(dir), [1]);
  t.same(
    (await query(db(dir), 'SELECT path FROM ducksteps.loaded_files ORDER BY path')).map((r) => r.path),
    ['data/landing/ev/a.csv', 'data/landing/ev/b.csv', 'data/landing/ev/c.csv'],
  );
  renameSync(join(dir, 'data/landing/ev/d.csv.tmp'), join(dir, 'data/landing/ev/d.csv'));
  t.equal((await cli(dir)).exitCode, 0);
  t.same(await ids(dir), [1, 4]);
});

t.test('--batch-size: a failure in batch 3 of 5 keeps batches 1-2; the next run continues at batch 3', async (t) => {
  const files = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`f${i}.csv`, `id,v\n${i},${i * 10}\n`]));
  files['f3.csv'] = 'id,v\n3,"oops\n';
  const dir = eventsProject(t, files);
  const run = await cli(dir, ['--batch-size', '1']);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /✘ 01_load batch 3 \(1 file\) failed[\s\S]*CSV file data\/landing\/ev\/f3\.csv:2 cannot be read/);
  t.same(await ids(dir), [1, 2]);
  t.same(
    (await query(db(dir), 'SELECT batch_id FROM totals ORDER BY 1')).map((r) => r.batch_id),
    [1, 2],
  );
  t.ok(existsSync(join(dir, 'data/landing/ev/f3.csv')), 'the failed file stays pending in landing');
  drop(dir, 'f3.csv', 'id,v\n3,30\n'); // the source delivers it fixed (never loaded, so not "changed")
  const next = await cli(dir, ['--batch-size', '1']);
  t.equal(next.exitCode, 0, next.stdout);
  t.same(await ids(dir), [1, 2, 3, 4, 5]);
  t.same(await query(db(dir), 'SELECT step, count(*) AS n FROM ducksteps.step_batches GROUP BY step ORDER BY step'), [
    { step: '01_load', n: 5 },
    { step: '02_total', n: 5 },
  ]);
});

t.test('a later step that failed catches up on its batch before new ones, with --resume or without', async (t) => {
  const dir = eventsProject(t, { 'a.csv': 'id,v\n1,10\n' });
  writeFileSync(join(dir, 'sql/02_total/01.sql'), `${TOTAL}\nSELECT * FROM no_such_table;`);
  t.equal((await cli(dir)).exitCode, 1);
  writeFileSync(join(dir, 'sql/02_total/01.sql'), TOTAL);
  drop(dir, 'b.csv', 'id,v\n2,20\n');
  const resumed = await cli(dir, ['--resume']);
  t.equal(resumed.exitCode, 0, resumed.stdout);
  t.match(resumed.stdout, /✔ 02_total batch 1 \(1 file\) ok[\s\S]*✔ 01_load batch 2 \(1 file\) ok/);
  t.same(await query(db(dir), 'SELECT batch_id, n FROM totals ORDER BY 1'), [
    { batch_id: 1, n: 1 },
    { batch_id: 2, n: 1 },
  ]);
});

t.test('a crash between commit and archive move: the file is neither loaded again nor lost', async (t) => {
  const dir = eventsProject(t, { 'a.csv': 'id,v\n1,10\n' });
  t.equal((await cli(dir)).exitCode, 0);
  renameSync(join(dir, 'data/archive/events/a.csv'), join(dir, 'data/landing/ev/a.csv')); // as if the move never happened
  const run = await cli(dir);
  t.equal(run.exitCode, 0);
  t.match(run.stdout, /nothing new/);
  t.same(await ids(dir), [1]);
  t.ok(
    existsSync(join(dir, 'data/archive/events/a.csv')) && !existsSync(join(dir, 'data/landing/ev/a.csv')),
    'moved on the next run',
  );
});

t.test(
  'an input folder that does not exist: exit 2 naming it and the glob; list shows the input with no files',
  async (t) => {
    const dir = project(t, undefined, { 'package.json': SETTINGS, sql: { '01_load': { '01.sql': LOAD } } });
    const list = await cli(dir, ['list']);
    t.equal(list.exitCode, 0, 'list works before the step that creates the folder has run');
    t.match(list.stdout, /events\s+│ data\/landing\/ev\/\*\.csv\s+│ 0\s+│ 0\s+│ 0\s+│ -/);
    const run = await cli(dir);
    t.equal(run.exitCode, 2);
    t.match(
      run.stderr,
      /ducksteps: package\.json: input events: the folder data\/landing\/ev does not exist \(glob data\/landing\/ev\/\*\.csv\)\n\s+create it/,
    );
  },
);

t.test('an incremental step cannot have a no-transaction file (exit 2)', async (t) => {
  const dir = project(t, undefined, {
    'package.json': SETTINGS,
    sql: { '01_load': { '01.sql': LOAD, '02.sql': '-- ducksteps: no-transaction\nCHECKPOINT;' } },
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 2);
  t.match(run.stderr, /sql\/01_load\/02\.sql: an incremental step cannot have a no-transaction file/);
});

t.test('list shows each input with its pending files; compile renders incremental steps with every file', async (t) => {
  const dir = eventsProject(t, { 'a.csv': 'id,v\n1,10\n' });
  t.equal((await cli(dir)).exitCode, 0);
  drop(dir, 'b.csv', 'id,v\n2,20\n');
  drop(dir, 'c.csv', 'id,v\n3,30\n');
  const list = await cli(dir, ['list']);
  t.equal(list.exitCode, 0);
  t.match(
    list.stdout,
    /events\s+│ data\/landing\/ev\/\*\.csv\s+│ 1\s+│ 1\s+│ 2\s+│ data\/landing\/ev\/b\.csv, data\/landing\/ev\/c\.csv/,
  );
  t.match(list.stdout, /01_load\s+│ 1\s+│ no\s+│ yes/, 'the incremental column');
  const compile = await cli(dir, ['compile']);
  t.equal(compile.exitCode, 0, compile.stdout);
});

t.test('logs shows recent batches', async (t) => {
  const dir = eventsProject(t, { 'a.csv': 'id,v\n1,10\n', 'b.csv': 'id,v\n2,20\n' });
  t.equal((await cli(dir, ['--batch-size', '1'])).exitCode, 0);
  const logs = await cli(dir, ['logs']);
  t.equal(logs.exitCode, 0);
  t.match(logs.stdout, /recent batches:[\s\S]*│ 2\s+│ 1\s+│ 01_load, 02_total\s+│ ok/);
});

t.test('appending to a file after it was loaded is a change: refused', async (t) => {
  const dir = eventsProject(t, { 'a.csv': 'id,v\n1,10\n' });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ ducksteps: { inputs: { events: 'data/landing/ev/*.csv' } } }),
  ); // no archive
  t.equal((await cli(dir)).exitCode, 0);
  appendFileSync(join(dir, 'data/landing/ev/a.csv'), '2,20\n');
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stdout, /data\/landing\/ev\/a\.csv was loaded in batch 1 and has changed since/);
  rmSync(join(dir, 'data/landing/ev/a.csv'));
  t.equal((await cli(dir)).exitCode, 0, 'a loaded file that is gone from landing is fine: it was loaded');
});
