// The watch soak: files dropped for a while under CPU load (a busy process per core), the watch stopped three
// times at random moments — Ctrl-C to its process group (exit 130 expected), a SIGKILL, and a last Ctrl-C once
// it holds every file — and started again at once each time, files still arriving. Then: every file in the
// ledger exactly once without any other run's help, and the tables equal a --full-refresh over the same files.
import { execa, type ResultPromise } from 'execa';
import { cpSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { readLog } from '../packages/ducksteps/lib/logs/history.js';
import { checksum, ducksteps } from './scenarios.js';
import { CLI, dropFile, eventsProject } from './watch.js';

export interface SoakOptions {
  readonly files: number;
  readonly spreadMs: number; // the files arrive over about this long
  readonly hogs: number; // busy processes beside the watch
  readonly random: () => number;
}

export interface SoakResult {
  readonly files: number;
  readonly loaded: number; // ledger rows once the watch stopped (no other run helped)
  readonly tablesEqual: boolean;
  readonly stops: readonly string[]; // each stop and how the watch ended
  readonly problems: readonly string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WATCH_ARGS = ['watch', '--max-wait', '1s', '--batch-size', '10', '--lock-timeout', '30s'];

/** A watch in a process group of its own, so a Ctrl-C can be sent as a terminal sends it: to the group. */
const startWatch = (dir: string) =>
  execa(process.execPath, [CLI, ...WATCH_ARGS], {
    cwd: dir,
    reject: false,
    detached: true,
    env: { NO_COLOR: '1' },
  });

/** A busy loop that ends once the process that started it is gone (a soak killed by a test's timeout must
 * not leave the machine loaded): it looks at its parent every few million turns. */
const HOG = 'const p = process.ppid; for (let i = 0; ; i++) if (i % 5e6 === 0 && process.ppid !== p) process.exit(0);';

/** Busy processes, one per core by default: the load under which the soak runs. */
function startHogs(count: number): ResultPromise[] {
  return Array.from({ length: count }, () => execa(process.execPath, ['-e', HOG], { reject: false, stdio: 'ignore' }));
}

/** How many files the watch has loaded through its last incremental step, from the run log (no DuckDB open). */
function completeFiles(dir: string): number {
  const rows = readLog(join(dir, 'logs', 'run_log.csv'));
  return rows
    .filter((r) => r.step === '02_totals' && r.status === 'ok')
    .reduce((sum, r) => sum + Number(r.batch_files || 0), 0);
}

/** Waits until the run log accounts for `files` files, or nothing has moved for `quietMs`. */
async function settled(dir: string, files: number, quietMs: number): Promise<number> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    const done = completeFiles(dir);
    if (done >= files) return done;
    if (done !== last) [last, since] = [done, Date.now()];
    if (Date.now() - since > quietMs) return done;
    await sleep(500);
  }
}

/** Stops the watch as `how` and checks how it ended: Ctrl-C (group) -> 130; SIGKILL -> killed. */
async function stop(
  child: ReturnType<typeof startWatch>,
  how: 'SIGINT' | 'SIGKILL',
  problems: string[],
): Promise<string> {
  process.kill(-child.pid!, how); // the whole group, as a terminal (or the OOM killer's cgroup) would
  const done = await child;
  const end = done.exitCode === undefined ? `killed by ${done.signal}` : `exit ${done.exitCode}`;
  if (how === 'SIGINT' && done.exitCode !== 130)
    problems.push(`a Ctrl-C ended the watch with ${end}, not 130:\n${done.stdout}\n${done.stderr}`);
  if (/internal error/.test(String(done.stderr))) problems.push(`the watch printed an internal error:\n${done.stderr}`);
  return `${how} -> ${end}`;
}

/** Drops files 1..count at random intervals (mean spreadMs / count), whatever the watch is doing. */
async function dropAll(dir: string, options: SoakOptions, dropped: { n: number }): Promise<void> {
  for (; dropped.n < options.files;) {
    dropFile(dir, ++dropped.n);
    await sleep((options.random() * 2 * options.spreadMs) / options.files);
  }
}

/** Runs the soak in `root`; the caller reports the result. */
export async function soakUnderLoad(root: string, options: SoakOptions): Promise<SoakResult> {
  const dir = eventsProject(join(root, 'soak'), 'data/archive');
  const hogs = startHogs(options.hogs);
  const problems: string[] = [];
  const stops: string[] = [];
  try {
    const dropped = { n: 0 };
    let child = startWatch(dir);
    const dropping = dropAll(dir, options, dropped);
    for (const how of ['SIGINT', 'SIGKILL'] as const) {
      await sleep(options.spreadMs / 3 + options.random() * 2000); // a random moment: mid-batch, idle or booting
      stops.push(await stop(child, how, problems));
      child = startWatch(dir); // at once: files keep arriving while it starts
    }
    await dropping;
    // The run log is a wait signal only: a SIGKILL between a batch's COMMIT and its log line (written after
    // it) leaves the data committed and the line missing (docs/logs.md). Whether the watch loaded every file
    // is the ledger's answer, read below once it stopped.
    await settled(dir, options.files, 60_000);
    stops.push(await stop(child, 'SIGINT', problems));
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
    await Promise.all(hogs);
  }
  const mine = await checksum(dir, 'data/warehouse.duckdb');
  const loaded = Number(mine['ducksteps.loaded_files']?.split(':')[0] ?? 0);
  if (loaded !== options.files) problems.push(`${loaded} ledger rows for ${options.files} files`);
  const reference = eventsProject(join(root, 'soak-reference'), 'data/archive');
  for (const folder of ['data/landing/ev', 'data/archive'])
    if (existsSync(join(dir, folder))) cpSync(join(dir, folder), join(reference, folder), { recursive: true });
  await ducksteps(reference, ['--full-refresh']);
  const theirs = await checksum(reference, 'data/warehouse.duckdb');
  const tablesEqual =
    mine['main.totals'] === theirs['main.totals'] &&
    mine['main.events']?.split(':')[0] === theirs['main.events']?.split(':')[0];
  if (!tablesEqual) problems.push('the tables differ from a --full-refresh over the same files');
  return { files: options.files, loaded, tablesEqual, stops, problems };
}

/** The soak's default load: a busy process per core. */
export const defaultHogs = () => availableParallelism();
