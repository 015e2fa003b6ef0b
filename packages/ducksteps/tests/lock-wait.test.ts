// --lock-timeout: while another program holds the database file a run waits, says so as it starts waiting,
// leaves the wait out of the step's duration, and a Ctrl-C during the wait is an interruption like any other.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../lib/engines/duckdb/database.js';
import { cli, printed, project, readCsv } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True once the run prints `text`; false if it ends first (a wait that is never said fails the test, at the
 * latest when --lock-timeout gives up). */
const says = (run: ReturnType<typeof cli>, text: string) =>
  Promise.race([printed(run, text).then(() => true), run.then(() => false)]);

t.test('a step waiting for another program says so, and its duration leaves the wait out', async (t) => {
  const dir = project(t, 'ok');
  const holder = await openDatabase(join(dir, 'data/warehouse.duckdb'));
  const run = cli(dir, ['--lock-timeout', '2m']);
  t.ok(await says(run, 'waiting for another program to release'), 'the wait is said as it starts');
  await sleep(3000); // held on: without the fix this wait would be counted as the step's
  const releasedAt = Date.now();
  holder.close();
  const done = await run;
  t.equal(done.exitCode, 0, done.stdout);
  t.match(
    done.stdout,
    /· \d+_\w+: waiting for another program to release \S+data\/warehouse\.duckdb \(up to 120 s, --lock-timeout\)/,
  );
  const rows = await readCsv(join(dir, 'logs/run_log.csv'));
  const waited = rows.filter((r) => r.run_id === rows[rows.length - 1].run_id && r.started_at);
  t.ok(waited.length > 0);
  for (const r of waited)
    t.ok(
      Date.parse(String(r.started_at)) >= releasedAt - 1000,
      `${r.step} counts from when it had the file (${r.started_at}), not from when it began to wait`,
    );
});

t.test('Ctrl-C while the batch ledger waits for the database file: interrupted (130), not failed', async (t) => {
  const dir = project(t, undefined, {
    'package.json': JSON.stringify({ ducksteps: { inputs: { events: 'data/landing/ev/*.csv' } } }),
    sql: {
      '01_load': {
        '01.sql':
          '-- ducksteps: incremental\nCREATE TABLE IF NOT EXISTS events AS SELECT * FROM read_csv({{ batch.files.events }});',
      },
    },
  });
  mkdirSync(join(dir, 'data/landing/ev'), { recursive: true });
  writeFileSync(join(dir, 'data/landing/ev/a.csv'), 'id\n1\n');
  const holder = await openDatabase(join(dir, 'data/warehouse.duckdb'));
  try {
    const run = cli(dir, ['--lock-timeout', '2m']);
    t.ok(await says(run, 'the batch ledger: waiting for another program to release'), 'the ledger read waits');
    run.kill('SIGINT');
    const done = await run;
    t.equal(done.exitCode, 130, done.stdout);
    const rows = await readCsv(join(dir, 'logs/run_log.csv'));
    t.notOk(
      rows.some((r) => r.status === 'failed'),
      `nothing is logged as failed: ${JSON.stringify(rows.map((r) => [r.step, r.status, r.error]))}`,
    );
    t.ok(rows.some((r) => r.step === '01_load' && r.status === 'interrupted'));
    t.ok(rows.some((r) => r.step === 'run' && r.status === 'interrupted'));
  } finally {
    holder.close();
  }
});
