// The run lock between real processes: a run that released the lock never removes the lock of a run that
// started after it (a third run is refused, exit 2), and of several runs taking over a stale lock at the
// same moment exactly one gets it.
import t from 'tap';
import { execa } from 'execa';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, PKG } from './helpers.js';

const LOCK = join(PKG, 'dist', 'locks', 'run-lock.js');

/** A process that takes the lock at `startAt` (ms since the epoch), says got/refused, holds it `holdMs`,
 * releases it, then waits for a line on stdin before it exits (its exit handler runs then). */
const HOLDER = `
import { acquireLock } from ${JSON.stringify(LOCK)};
const [db, runId, startAt, holdMs] = process.argv.slice(1);
while (Date.now() < Number(startAt)) {}
let lock;
try { lock = acquireLock(db, runId); console.log('got'); } catch { console.log('refused'); }
setTimeout(() => { lock?.release(); console.log('released'); process.stdin.once('data', () => process.exit(0)); }, Number(holdMs));
`;

const holder = (db: string, runId: string, startAt: number, holdMs: number) =>
  execa(process.execPath, ['--input-type=module', '-e', HOLDER, db, runId, String(startAt), String(holdMs)], {
    reject: false,
    stdin: 'pipe',
  });

const said = (child: ReturnType<typeof holder>, text: string) =>
  new Promise<void>((resolve) => {
    let seen = '';
    child.stdout?.on('data', (d: Buffer) => {
      seen += String(d);
      if (seen.includes(text)) resolve();
    });
  });

t.test(
  "a run shutting down after it released the lock leaves the next run's lock alone: a third run is refused",
  async (t) => {
    const dir = project(t, undefined, { sql: { '01_a': { 'a.sql': 'SELECT 1;' } } });
    const db = join(dir, 'data/warehouse.duckdb');
    const first = holder(db, 'first', 0, 0);
    await said(first, 'released'); // released, still running (a watch or run finishing its report)
    const second = holder(db, 'second', 0, 60_000);
    await said(second, 'got');
    first.stdin?.write('exit\n');
    await first;
    t.ok(existsSync(`${db}.lock`), "the first run's exit did not remove the second run's lock");
    t.match(readFileSync(`${db}.lock`, 'utf8'), /"runId":"second"/);
    const third = await cli(dir);
    t.equal(third.exitCode, 2, 'a third run is refused while the second holds the lock');
    t.match(third.stderr, new RegExp(`in use by another ducksteps run \\(PID ${second.pid}`));
    second.kill('SIGKILL');
    await second;
  },
);

t.test('eight runs taking over a stale lock at the same moment: exactly one gets it, each time', async (t) => {
  const dir = project(t);
  const db = join(dir, 'data/warehouse.duckdb');
  const dead = execa(process.execPath, ['-e', '']);
  await dead; // a PID no process has any more
  for (let round = 1; round <= 10; round++) {
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: dead.pid, runId: 'dead', startedAt: 'then' }));
    const startAt = Date.now() + 1500;
    const racers = Array.from({ length: 8 }, (_, i) => holder(db, `r${round}-${i}`, startAt, 1500));
    const outputs = await Promise.all(
      racers.map(async (r) => {
        await said(r, 'released');
        r.stdin?.write('x\n');
        return (await r).stdout;
      }),
    );
    t.equal(
      outputs.filter((o) => o.includes('got')).length,
      1,
      `round ${round}: one run has the lock, ${outputs.filter((o) => o.includes('refused')).length} refused`,
    );
  }
});

t.test(
  'a takeover marker left by a run that died in the middle of a takeover does not block the next runs',
  async (t) => {
    const dir = project(t, undefined, { sql: { '01_a': { 'a.sql': 'SELECT 1;' } } });
    const db = join(dir, 'data/warehouse.duckdb');
    const dead = execa(process.execPath, ['-e', '']);
    await dead;
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: dead.pid, runId: 'dead', startedAt: 'then' }));
    writeFileSync(`${db}.lock.takeover`, JSON.stringify({ pid: dead.pid, runId: 'dead', startedAt: 'then' }));
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${db}.lock.takeover`, old, old);
    const run = await cli(dir);
    t.equal(run.exitCode, 0, run.stderr);
    t.notOk(existsSync(`${db}.lock`) || existsSync(`${db}.lock.takeover`), 'neither is left behind');
  },
);
