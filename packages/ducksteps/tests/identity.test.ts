// No file twice: a name with glob characters is that file alone, the same content under a new name is a
// duplicate (recorded, not loaded; or refused), an archive inside an input's glob and overlapping inputs
// are refused, a symlink loop is one file (archived as content), a name that is not UTF-8 is a clear
// refusal, and a batch never mixes CRLF and LF files (DuckDB would silently read no rows from some).
import t from 'tap';
import { lstatSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, query } from './helpers.js';
import { db, drop, eventsProject, ids, ledger, listed, rows } from './landing.js';

t.test('file names with glob characters are read literally: each file once', async (t) => {
  const dir = eventsProject(t, {
    '*.csv': rows(1),
    'f?.csv': rows(2),
    '[1].csv': rows(3),
    'a.csv': rows(4),
    'fx.csv': rows(5),
    '1.csv': rows(6),
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stdout);
  t.same(await ids(dir), [1, 2, 3, 4, 5, 6], 'no row twice');
  t.same(
    await query(db(dir), 'SELECT file FROM events WHERE id IN (1, 3) ORDER BY id'),
    [{ file: '*.csv' }, { file: '[1].csv' }],
    'filename= names the real file',
  );
  t.same(listed(dir, 'data/archive/events'), ['*.csv', '1.csv', '[1].csv', 'a.csv', 'f?.csv', 'fx.csv']);
});

t.test('the same content under a new name is recorded as a duplicate, not loaded again, with a warning', async (t) => {
  const dir = eventsProject(t, { 'a.csv': rows(1, 3) }, { archive: false });
  t.equal((await cli(dir)).exitCode, 0);
  drop(dir, 'a_retry.csv', rows(1, 3)); // the producer delivered it again
  renameSync(join(dir, 'data/landing/ev/a.csv'), join(dir, 'data/landing/ev/a_renamed.csv')); // and someone renamed the loaded one
  drop(dir, 'b.csv', rows(10));
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stdout);
  t.match(
    run.stdout,
    /! events: data\/landing\/ev\/a_renamed\.csv has the same content as data\/landing\/ev\/a\.csv \(sha256 \w{12}…\): recorded in batch 2, not loaded again/,
  );
  t.match(run.stdout, /! events: data\/landing\/ev\/a_retry\.csv has the same content as data\/landing\/ev\/a\.csv/);
  t.same(await ids(dir), [1, 2, 3, 10], 'no row twice');
  t.same(await ledger(dir), [
    'data/landing/ev/a.csv',
    'data/landing/ev/a_renamed.csv = data/landing/ev/a.csv',
    'data/landing/ev/a_retry.csv = data/landing/ev/a.csv',
    'data/landing/ev/b.csv',
  ]);
  const again = await cli(dir);
  t.notMatch(again.stdout, /same content/, 'recorded: no warning on the next run');
  const full = await cli(dir, ['--full-refresh']);
  t.equal(full.exitCode, 0);
  t.same(await ids(dir), [1, 2, 3, 10], 'a full refresh loads the content once too');
});

t.test('"duplicates": "refuse" stops the run naming both files; empty files are never duplicates', async (t) => {
  const dir = eventsProject(t, { 'a.csv': rows(1), 'e1.csv': '', 'e2.csv': '' }, { extra: { duplicates: 'refuse' } });
  t.equal((await cli(dir)).exitCode, 0, 'two empty files are not duplicates of each other');
  drop(dir, 'b.csv', rows(1));
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(
    run.stdout,
    /error: landing file data\/landing\/ev\/b\.csv has the same content as data\/landing\/ev\/a\.csv, which is loaded already \(sha256 \w{12}…\)\n\s+hint: a file is loaded once, whatever its name/,
  );
  t.same(await ids(dir), [1]);
  const bad = eventsProject(t, {}, { extra: { duplicates: 'load' } });
  const config = await cli(bad);
  t.equal(config.exitCode, 2);
  t.match(config.stderr, /"ducksteps"\."duplicates" must be "skip" or "refuse", got "load"/);
});

t.test('an archive folder an input glob reaches, and two inputs matching one file, are refused (exit 2)', async (t) => {
  const inside = eventsProject(
    t,
    { 'a.csv': rows(1) },
    { glob: 'data/landing/**/*.csv', archive: 'data/landing/done' },
  );
  const run = await cli(inside);
  t.equal(run.exitCode, 2);
  t.match(
    run.stderr,
    /ducksteps: package\.json: the archive folder data\/landing\/done\/events is inside the landing folder of input events \(data\/landing\/\*\*\/\*\.csv\): archived files would be found again as new landing files\n\s+choose an "archive" folder outside data\/landing/,
  );
  const shallow = eventsProject(
    t,
    { 'a.csv': rows(1) },
    { glob: 'data/landing/ev/*.csv', archive: 'data/landing/ev/done' },
  );
  t.equal((await cli(shallow)).exitCode, 0, 'a glob that cannot reach the archive is fine');
  t.equal((await cli(shallow)).exitCode, 0);
  t.same(await ids(shallow), [1]);
  const overlap = eventsProject(
    t,
    { 'a.csv': rows(1) },
    { extra: { inputs: { events: 'data/landing/ev/*.csv', more: 'data/landing/**/a.csv' } } },
  );
  const both = await cli(overlap);
  t.equal(both.exitCode, 2);
  t.match(
    both.stderr,
    /ducksteps: package\.json: data\/landing\/ev\/a\.csv is matched by two inputs, events \(data\/landing\/ev\/\*\.csv\) and more \(data\/landing\/\*\*\/a\.csv\)/,
  );
  t.equal((await cli(overlap, ['list'])).exitCode, 2, 'list says so too');
  const same = eventsProject(
    t,
    {},
    { extra: { inputs: { events: 'data/landing/ev/*.csv', again: 'data/landing/ev/*.csv' } } },
  );
  const twice = await cli(same);
  t.equal(twice.exitCode, 2);
  t.match(
    twice.stderr,
    /ducksteps: package\.json: inputs events and again have the same glob data\/landing\/ev\/\*\.csv: every file would be loaded twice/,
  );
});

t.test('a symlink loop under ** is one file, loaded once; a symlinked file is archived as its content', async (t) => {
  const dir = eventsProject(t, {}, { glob: 'data/landing/ev/**/*.csv' });
  const outside = join(dir, 'elsewhere');
  mkdirSync(join(dir, 'data/landing/ev/sub'), { recursive: true });
  mkdirSync(outside);
  drop(dir, 'a.csv', rows(1));
  symlinkSync('..', join(dir, 'data/landing/ev/sub/loop'));
  writeFileSync(join(outside, 'b.csv'), rows(2));
  symlinkSync('../../../elsewhere/b.csv', join(dir, 'data/landing/ev/b.csv')); // relative: archived as a link it would dangle
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stdout);
  t.same(await ids(dir), [1, 2], 'each real file once');
  t.same(await ledger(dir), ['data/landing/ev/a.csv', 'data/landing/ev/b.csv']);
  t.ok(lstatSync(join(dir, 'data/archive/events/b.csv')).isFile(), 'the archive holds the content, not a link');
  t.equal((await cli(dir, ['--full-refresh'])).exitCode, 0, 'the archived copy reads back');
  t.same(await ids(dir), [1, 2]);
});

t.test(
  'a landing file whose name is not UTF-8: run refuses it naming it (exit 1, no stack trace); list warns',
  async (t) => {
    const dir = eventsProject(t, { 'a.csv': rows(1) });
    writeFileSync(Buffer.from(join(dir, 'data/landing/ev/caf\xe9.csv'), 'latin1'), rows(2));
    const run = await cli(dir);
    t.equal(run.exitCode, 1);
    t.match(
      run.stdout,
      /error: landing file name is not valid UTF-8: data\/landing\/ev\/caf�\.csv \(� marks the bytes that do not decode\)\n\s+hint: rename the file to a UTF-8 name/,
    );
    t.notMatch(run.stdout + run.stderr, /at \S+\.js:\d+/);
    const list = await cli(dir, ['list']);
    t.equal(list.exitCode, 0);
    t.match(
      list.stdout,
      /! events: data\/landing\/ev\/caf�\.csv cannot be loaded: its name is not valid UTF-8 \(rename it\)/,
    );
  },
);

t.test('a CRLF file before LF files: batches never mix line ends, so every file gives its rows', async (t) => {
  const dir = eventsProject(t, {
    'a.csv': 'id,v\r\n1,10\r\n2,20\r\n',
    'b.csv': rows(3),
    'c.csv': rows(4),
    'd.csv': 'id,v\r\n5,50\r\n',
  });
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stdout);
  t.same(await ids(dir), [1, 2, 3, 4, 5], 'no file silently gave 0 rows');
  t.same(
    await query(db(dir), 'SELECT batch_id, count(*)::INT AS n FROM events GROUP BY 1 ORDER BY 1'),
    [
      { batch_id: 1, n: 2 },
      { batch_id: 2, n: 2 },
      { batch_id: 3, n: 1 },
    ],
    'a, b+c, d',
  );
});
