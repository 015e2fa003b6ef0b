// A run-level lock beside the database, so a second run cannot slip in between two steps of the first.
// The lock file names its owner (run id and PID): a run removes it only while it is still its own, and a
// stale lock (its owner died) is removed by one run at a time — the one holding `<lock>.takeover`, which looks
// again before it removes it — so of several runs starting at once exactly one runs.
import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { LockError } from '../errors.js';
import { alive } from '../processes/alive.js';
import type { Fence } from '../protocol.js';

interface Holder {
  readonly pid: number;
  readonly runId: string;
  readonly startedAt: string;
}

function readHolder(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return undefined; // gone, or half-written by a run that died while writing it
  }
}

const inode = (path: string) => statSync(path, { throwIfNoEntry: false })?.ino;

export interface Lock {
  /** A run that held the lock and died without releasing it (its run id), if any. */
  readonly stale?: Holder;
  /** What to tell the user about `stale` when it may still be running (a lake's lock: its session ended). */
  readonly takeover?: string;
  /** Where the lock lives in PostgreSQL: the token every step's transaction checks (worker/fence.ts). */
  readonly fence?: Fence;
  release(): void;
}

/** Blocks this (synchronous) caller for `ms`: waiting for another run's takeover to finish. */
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** How old a takeover marker must be to be one a run left behind when it died in the middle of a takeover
 * (a takeover takes microseconds). */
const TAKEOVER_STALE_MS = 10_000;

/** Removes the stale lock judged at inode `ino`, holding `<lock>.takeover` while it looks again: still that
 * file, its owner still gone. Without that marker two runs could each remove a lock — the second one a lock
 * a third run had just created — and two runs would hold it (measured: 8 racers, round 4 of 5). */
function removeStale(path: string, ino: number | undefined, me: Holder): void {
  const marker = `${path}.takeover`;
  if (!create(marker, me)) {
    const age = Date.now() - (statSync(marker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > TAKEOVER_STALE_MS) rmSync(marker, { force: true });
    pause(5); // another run is taking it over: look again after it
    return;
  }
  try {
    const holder = readHolder(path);
    if (inode(path) === ino && !(holder && alive(holder.pid) && holder.pid !== process.pid))
      rmSync(path, { force: true });
  } finally {
    rmSync(marker, { force: true });
  }
}

function writeError(path: string, error: unknown): LockError {
  const code = (error as NodeJS.ErrnoException).code;
  return new LockError(`cannot write the run lock ${path} (${code ?? (error as Error).message})`, {
    cause: error,
    hint:
      code === 'ENOSPC'
        ? 'the disk is full: free some space, then run again'
        : 'check that the database folder is writable',
  });
}

/** Creates the lock file complete or not at all: written under a name of its own, then linked into place
 * (link fails if the lock exists), so no run ever reads a half-written lock. False: it exists. */
function create(path: string, me: Holder): boolean {
  const own = `${path}.${process.pid}.new`;
  try {
    writeFileSync(own, JSON.stringify(me));
    linkSync(own, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw writeError(path, error);
  } finally {
    rmSync(own, { force: true }); // a full disk can leave an empty file behind
  }
}

/** Takes `<database>.lock`; throws LockError naming the holder's PID when another run is alive. */
export function acquireLock(database: string, runId: string): Lock {
  const path = `${database}.lock`;
  const me: Holder = { pid: process.pid, runId, startedAt: new Date().toISOString() };
  let stale: Holder | undefined;
  for (const deadline = Date.now() + 5_000; Date.now() < deadline;) {
    if (create(path, me)) return { stale, release: releaser(path, me) };
    const ino = inode(path);
    const holder = readHolder(path);
    if (holder && alive(holder.pid) && holder.pid !== process.pid) {
      throw new LockError(
        `database ${database} is in use by another ducksteps run (PID ${holder.pid}, started ${holder.startedAt})`,
        {
          hint: `wait for it to finish or stop it; if no run is active, delete ${path}`,
        },
      );
    }
    stale = holder ?? stale;
    removeStale(path, ino, me);
  }
  throw new LockError(`could not take the run lock ${path}`, {
    hint: `delete ${path} (and ${path}.takeover) if no run is active`,
  });
}

/** Removes the lock only while it is still ours: a run that starts after this one released it keeps its own. */
function releaser(path: string, me: Holder): () => void {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    const holder = readHolder(path);
    if (holder?.runId === me.runId && holder.pid === me.pid) rmSync(path, { force: true });
  };
  process.once('exit', release);
  return release;
}
