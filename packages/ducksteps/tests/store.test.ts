// The ledger is the truth of what the warehouse holds, and the archive is part of the store: a full refresh
// is resumable and never forgets a file, a fresh warehouse finds archived files, a file that changes while
// or after it is loaded is held and refused (never silently lost), a gone file blocks only a step that
// reads it, and a failing archive move is a warning after the commit, retried by the next run.
import t from 'tap';
import { execa } from 'execa';
import { appendFileSync, existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ledgerTables, query } from './helpers.js';
import { TOTAL, db, eventsProject, ids, ledger, listed, rows } from './landing.js';

const six = Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`f${i}.csv`, rows(i * 10, 10)]));
const all = [1, 2, 3, 4, 5, 6].flatMap((i) => Array.from({ length: 10 }, (_, k) => i * 10 + k));
const FAILS_ON_2 = `${TOTAL}\n{% if vars.fail and batch.number == 2 %}SELECT * FROM no_such_table;{% endif %}`;

t.test(
  'a --full-refresh --batch-size that fails after its first batch is resumed by the next run: no file forgotten',
  async (t) => {
    const dir = eventsProject(t, six, { total: FAILS_ON_2 });
    t.equal((await cli(dir)).exitCode, 0);
    t.same(listed(dir, 'data/landing/ev'), [], 'every file archived');
    const refresh = await cli(dir, ['--full-refresh', '--batch-size', '2', '--var', 'fail=1']);
    t.equal(refresh.exitCode, 1, 'the refresh failed in its second batch');
    t.same(
      (await ledger(dir)).length,
      6,
      'the ledger still knows all six files (the refresh recorded all its batches at once)',
    );
    t.same(await ids(dir), all.slice(0, 40), 'the first batch of the refresh committed, and 01_load the second');
    const next = await cli(dir, ['--verbose']); // --verbose: each start line says which of the run's batches it is
    t.equal(next.exitCode, 0, next.stdout);
    t.match(
      next.stdout,
      /▶ 02_total batch 3 \(1 of 2, 2 files\)[\s\S]*▶ 01_load batch 4 \(2 of 2, 2 files\)/,
      'it resumes where the refresh stopped',
    );
    t.same(await ids(dir), all, 'every row once');
    t.same(await query(db(dir), 'SELECT count(*)::INT AS n, sum(n)::INT AS rows FROM totals'), [{ n: 3, rows: 60 }]);
    const again = await cli(dir, ['--full-refresh', '--batch-size', '4']);
    t.equal(again.exitCode, 0);
    t.same(await ids(dir), all, 'another refresh still finds all of them (in the archive)');
  },
);

t.test(
  'kill -9 of a --full-refresh --batch-size after its first batch: the next run finishes it, nothing lost',
  async (t) => {
    const slow =
      '{% if batch.number > 1 %}CREATE TEMP TABLE slow AS SELECT count(*) AS n FROM range(300000000);{% endif %}';
    const dir = eventsProject(t, six, { total: `${TOTAL}\n${slow}` });
    t.equal((await cli(dir)).exitCode, 0);
    const refresh = cli(dir, ['--full-refresh', '--batch-size', '2', '--verbose']); // --verbose: a line as each step starts, to act on
    await new Promise<void>((resolve) =>
      refresh.stdout?.on('data', (d: Buffer) => String(d).includes('▶ 01_load batch 3') && resolve()),
    );
    refresh.kill('SIGKILL');
    await refresh.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 500)); // its worker sees the driver gone and dies
    t.same(
      await query(db(dir), "SELECT count(*) AS n FROM ducksteps.step_batches WHERE step = '02_total'"),
      [{ n: 1 }],
      'killed after the first batch of the refresh',
    );
    t.equal((await ledger(dir)).length, 6, 'the ledger knows every file');
    const next = await cli(dir, ['--lock-timeout', '10']);
    t.equal(next.exitCode, 0, next.stdout);
    t.same(await ids(dir), all, 'every row once');
  },
);

t.test(
  'a fresh warehouse (--db NEW, a deleted file) and --full-refresh --db NEW find the archived files; list shows them',
  async (t) => {
    const dir = eventsProject(t, six);
    t.equal((await cli(dir)).exitCode, 0);
    const list = await cli(dir, ['list', '--db', 'data/other.duckdb']);
    t.match(
      list.stdout,
      /events\s+│ data\/landing\/ev\/\*\.csv\s+│ 0\s+│ 6\s+│ 6\s+│ data\/archive\/events\/f1\.csv, data\/archive\/events\/f2\.csv/,
    );
    t.equal((await cli(dir, ['--full-refresh', '--db', 'data/other.duckdb'])).exitCode, 0);
    t.equal((await query(join(dir, 'data/other.duckdb'), 'SELECT count(*) AS n FROM events'))[0].n, 60);
    rmSync(db(dir));
    const rebuilt = await cli(dir);
    t.equal(rebuilt.exitCode, 0);
    t.match(rebuilt.stdout, /· events: 6 new files \(0 loaded, 0 in data\/landing\/ev\/\*\.csv, 6 archived\)/);
    t.same(await ids(dir), all);
    t.same(listed(dir, 'data/archive/events'), Object.keys(six), 'archived files stay where they are');
  },
);

t.test(
  'rows appended to a file while its batch ran: it is not archived, the next run refuses it; a full refresh takes them',
  async (t) => {
    const dir = eventsProject(t, { 'a.csv': rows(1) });
    const append =
      "import { appendFileSync } from 'node:fs';\nexport function before(ctx) { appendFileSync(ctx.projectRoot + '/data/landing/ev/a.csv', '2,20\\n'); }\n";
    mkdirSync(join(dir, 'steps'));
    writeFileSync(join(dir, 'steps/02_total.ts'), append); // a writer still appending after the file was read
    const run = await cli(dir);
    t.equal(run.exitCode, 0, 'the batch committed');
    t.match(
      run.stdout,
      /! data\/landing\/ev\/a\.csv was not archived: it grew from 10 to 15 bytes since it was loaded/,
    );
    t.ok(existsSync(join(dir, 'data/landing/ev/a.csv')), 'it stays in landing');
    rmSync(join(dir, 'steps/02_total.ts'));
    const next = await cli(dir);
    t.equal(next.exitCode, 1);
    t.match(next.stdout, /landing file data\/landing\/ev\/a\.csv was loaded in batch 1 and has changed since/);
    t.equal((await cli(dir, ['--full-refresh'])).exitCode, 0);
    t.same(await ids(dir), [1, 2], 'no row lost');
  },
);

t.test(
  'a file being written while its batch is hashed is refused for now (exit 1, nothing loaded); the next run takes it',
  async (t) => {
    const dir = eventsProject(t, { 'big.csv': rows(1, 1_500_000) });
    const path = join(dir, 'data/landing/ev/big.csv');
    const writer = execa(process.execPath, [
      '-e',
      `const fs = require('fs'); let i = 2e6; setInterval(() => fs.appendFileSync(${JSON.stringify(path)}, (i++) + ',1\\n'), 2);`,
    ]);
    const run = await cli(dir);
    writer.kill();
    await writer.catch(() => undefined);
    t.equal(run.exitCode, 1, run.stdout);
    t.match(
      run.stdout,
      /error: landing file data\/landing\/ev\/big\.csv changed while it was read \(it is still being written\)\n\s+hint: deliver files under a temporary name/,
    );
    t.equal(await ledgerTables(db(dir)), 0, 'nothing of the batch was committed');
    const next = await cli(dir);
    t.equal(next.exitCode, 0, next.stdout);
    t.ok(
      Number((await query(db(dir), 'SELECT count(*) AS n FROM events'))[0].n) > 1_500_000,
      'all of it, complete now',
    );
  },
);

t.test(
  'rows appended to a file after it moved to the archive: the next run refuses it instead of losing them',
  async (t) => {
    const dir = eventsProject(t, { 'a.csv': rows(1) });
    t.equal((await cli(dir)).exitCode, 0);
    appendFileSync(join(dir, 'data/archive/events/a.csv'), '2,20\n'); // the writer's open file moved with it
    const next = await cli(dir);
    t.equal(next.exitCode, 1);
    t.match(
      next.stdout,
      /error: archived file data\/archive\/events\/a\.csv was loaded in batch 1 and has changed since/,
    );
  },
);

t.test(
  'a loaded file removed before a later step committed its batch: that step catches up; a full refresh says what is gone',
  async (t) => {
    const dir = eventsProject(
      t,
      { 'a.csv': rows(1), 'b.csv': rows(2) },
      { total: `${TOTAL}\n{% if vars.fail %}SELECT * FROM no_such_table;{% endif %}` },
    );
    t.equal((await cli(dir, ['--var', 'fail=1'])).exitCode, 1, '02_total failed: batch 1 is not archived');
    rmSync(join(dir, 'data/landing/ev/a.csv'));
    const only = await cli(dir, ['--only', 'total']);
    t.equal(only.exitCode, 0, only.stdout);
    t.same(await query(db(dir), 'SELECT n::INT AS n FROM totals'), [{ n: 2 }]);
    const refresh = await cli(dir, ['--full-refresh']);
    t.equal(refresh.exitCode, 1);
    t.match(
      refresh.stdout,
      /a full refresh rebuilds from every file the warehouse holds, and 1 of them is neither in landing nor in the archive: data\/landing\/ev\/a\.csv \(batch 1\)[\s\S]*hint: put it back .*--full-refresh --forget-missing/,
    );
    t.same(await ids(dir), [1, 2], 'nothing was rebuilt');
    const forget = await cli(dir, ['--full-refresh', '--forget-missing']);
    t.equal(forget.exitCode, 0, forget.stdout);
    t.match(
      forget.stdout,
      /! --forget-missing: rebuilding without 1 loaded file gone from landing and archive: data\/landing\/ev\/a\.csv/,
    );
    t.same(await ids(dir), [2]);
  },
);

t.test('a later step that reads a gone file fails at the line that reads it, naming the file', async (t) => {
  const reads = `${TOTAL}\nCREATE OR REPLACE TEMP TABLE again AS\nSELECT * FROM read_csv({{ batch.files.events }});\n{% if vars.fail %}SELECT * FROM no_such_table;{% endif %}`;
  const dir = eventsProject(t, { 'a.csv': rows(1) }, { total: reads });
  t.equal((await cli(dir, ['--var', 'fail=1'])).exitCode, 1);
  rmSync(join(dir, 'data/landing/ev/a.csv'));
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(
    run.stdout,
    /error: landing file data\/landing\/ev\/a\.csv of batch 1 is needed again but is gone \(neither in landing nor in the archive\)\n\s+at sql\/02_total\/01\.sql:6\n\s+hint: put the file back/,
  );
});

t.test(
  'an archive move that fails (disk full) is a warning after the commit; later runs retry it and load nothing twice',
  async (t) => {
    const dir = eventsProject(t, { 'a.csv': rows(1, 2000) });
    const archive = join(dir, 'data/archive');
    mkdirSync(archive, { recursive: true });
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', archive], { reject: false });
    if (mounted.exitCode !== 0)
      return t.fail(
        `a small tmpfs must mount to make a full disk (run the tests as root, as CI does): ${mounted.stderr.trim()}`,
      );
    t.teardown(() => execa('umount', [archive], { reject: false }));
    const run = await cli(dir);
    t.equal(run.exitCode, 0, run.stdout + run.stderr);
    t.match(
      run.stdout,
      /! data\/landing\/ev\/a\.csv could not be archived \(ENOSPC\): its batch is committed; it stays in landing and the next run moves it/,
    );
    t.notMatch(run.stdout + run.stderr, /at \S+\.js:\d+/, 'no stack trace');
    const again = await cli(dir);
    t.equal(again.exitCode, 0);
    t.match(again.stdout, /nothing new[\s\S]*could not be archived \(ENOSPC\)/, 'the next run tries again');
    await execa('umount', [archive]);
    const moved = await cli(dir);
    t.equal(moved.exitCode, 0);
    t.ok(
      existsSync(join(archive, 'events/a.csv')) && !existsSync(join(dir, 'data/landing/ev/a.csv')),
      'moved once the disk has room',
    );
    t.ok(lstatSync(join(archive, 'events/a.csv')).isFile());
    t.equal((await query(db(dir), 'SELECT count(*) AS n FROM events'))[0].n, 2000, 'loaded once');
  },
);
