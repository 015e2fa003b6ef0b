// Freshness of inputs (issue 36): an input written as { path, freshness: { warnAfter, errorAfter } } says how old
// its newest file may get; a run past errorAfter stops before its steps (exit 1) unless --ignore-freshness; list
// and the run artifacts show each input's age.
import t from 'tap';
import { existsSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from './helpers.js';
import { drop, eventsProject, rows } from './landing.js';

const HOUR = 3_600_000;
const freshness = (f: Record<string, string>) => ({
  inputs: { events: { path: 'data/landing/ev/*.csv', freshness: f } },
});
/** Sets a landing file's modification time to `hours` ago: when it arrived. */
const age = (dir: string, name: string, hours: number) => {
  const when = new Date(Date.now() - hours * HOUR);
  utimesSync(join(dir, 'data/landing/ev', name), when, when);
};
const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'logs/run_results.json'), 'utf8'));

t.test('an input past its errorAfter stops the run before its steps, with a clear message (exit 1)', async (t) => {
  const dir = eventsProject(t, { 'a.csv': rows(1) }, { extra: freshness({ warnAfter: '1h', errorAfter: '2h' }) });
  age(dir, 'a.csv', 3);
  const run = await cli(dir);
  t.equal(run.exitCode, 1, run.stdout);
  t.match(
    run.stderr,
    'ducksteps: package.json: input events is late: its newest file data/landing/ev/a.csv arrived 3h 0m ago, past errorAfter 2h 0m',
  );
  t.match(run.stderr, '--ignore-freshness runs anyway');
  t.notOk(existsSync(join(dir, 'data/warehouse.duckdb')), 'no step ran');
  const r = results(dir);
  t.equal(r.status, 'error');
  t.match(r.message, /input events is late/);
  t.match(r.sources[0], { unique_id: 'source.events', status: 'error', newest_file: 'data/landing/ev/a.csv' });
  t.equal(r.sources[0].criteria.error_after_s, 7200);
});

t.test('--ignore-freshness runs a late input anyway, saying so', async (t) => {
  const dir = eventsProject(t, { 'a.csv': rows(1) }, { extra: freshness({ errorAfter: '2h' }) });
  age(dir, 'a.csv', 3);
  const run = await cli(dir, ['--ignore-freshness']);
  t.equal(run.exitCode, 0, run.stderr);
  t.match(
    run.stdout,
    '! input events is late: its newest file data/landing/ev/a.csv arrived 3h 0m ago, past errorAfter 2h 0m (--ignore-freshness: running anyway)',
  );
  t.equal(results(dir).sources[0].status, 'error', 'still recorded as late');
});

t.test('past warnAfter only warns; a fresh file passes; the newest file counts, loaded or pending', async (t) => {
  const dir = eventsProject(t, { 'a.csv': rows(1) }, { extra: freshness({ warnAfter: '1h', errorAfter: '2d' }) });
  age(dir, 'a.csv', 5);
  const warned = await cli(dir);
  t.equal(warned.exitCode, 0, warned.stderr);
  t.match(
    warned.stdout,
    '! input events is late: its newest file data/landing/ev/a.csv arrived 5h 0m ago, past warnAfter 1h 0m',
  );
  t.equal(results(dir).sources[0].status, 'warn');
  // a.csv is loaded (and archived) now; the ledger remembers when it arrived
  const list = await cli(dir, ['list']);
  t.match(list.stdout, /events\s+│.*5h 0m old \(late: warn\)/);
  drop(dir, 'b.csv', rows(2));
  const fresh = await cli(dir);
  t.equal(fresh.exitCode, 0);
  t.notMatch(fresh.stdout, 'is late');
  t.match(results(dir).sources[0], { status: 'pass', newest_file: 'data/landing/ev/b.csv', files: 2 });
});

t.test('an input with errorAfter and no file at all fails the run: nothing ever arrived', async (t) => {
  const dir = eventsProject(t, {}, { extra: freshness({ errorAfter: '26h' }) });
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  t.match(run.stderr, 'input events has no file yet (data/landing/ev/*.csv)');
  t.equal(results(dir).sources[0].status, 'none');
});

t.test('a freshness threshold that is not a duration is a configuration error naming the key (exit 2)', async (t) => {
  const dir = eventsProject(t, {}, { extra: freshness({ errorAfter: 'tomorrow' }) });
  const run = await cli(dir);
  t.equal(run.exitCode, 2);
  t.match(
    run.stderr,
    'ducksteps: package.json: "ducksteps"."inputs"."events"."freshness"."errorAfter" must be a duration like "90m", "26h" or "2d", got "tomorrow"',
  );
  const swapped = eventsProject(t, {}, { extra: freshness({ warnAfter: '3d', errorAfter: '1d' }) });
  t.match((await cli(swapped)).stderr, '"warnAfter" (3d) is later than "errorAfter" (1d)');
  const typo = eventsProject(t, {}, { extra: { inputs: { events: { path: 'data/landing/ev/*.csv', fresh: {} } } } });
  t.match((await cli(typo)).stderr, '"ducksteps"."inputs"."events" has an unknown key "fresh"');
});

t.test('test (the assertions alone) does not stop for a late input', async (t) => {
  const dir = eventsProject(t, { 'a.csv': rows(1) }, { extra: freshness({ errorAfter: '2h' }) });
  age(dir, 'a.csv', 3);
  t.equal((await cli(dir, ['--ignore-freshness'])).exitCode, 0);
  const test = await cli(dir, ['test']);
  t.equal(test.exitCode, 0, test.stderr);
  t.equal(results(dir).sources[0].status, 'error', 'its age is still reported');
});
