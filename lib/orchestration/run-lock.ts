// A run-level lock beside the database, so a second run cannot slip in between two steps of the first.
// The lock file names its owner (run id and PID): a run removes it only while it is still its own, and a
// stale lock (its owner died) is taken over atomically — renamed away, and put back if what was renamed
// turns out to be a live run's lock — so of several runs starting at once exactly one runs.
import { linkSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { LockError } from '../errors.js';
import { alive } from '../processes/alive.js';

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
  release(): void;
}

/** Removes a stale lock file if it is still the one judged stale (same inode); a live run's lock that
 * replaced it meanwhile is put back. */
function takeOver(path: string, ino: number | undefined): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else took it over first: look again
  }
  if (inode(aside) !== ino) {
    try {
      linkSync(aside, path); // not the stale one: a run just took it; give it back (fails if a third run made one)
    } catch { /* the run whose lock it was still holds its token: it sees the difference at release */ }
  }
  rmSync(aside, { force: true });
}

function writeError(path: string, error: unknown): LockError {
  const code = (error as NodeJS.ErrnoException).code;
  return new LockError(`cannot write the run lock ${path} (${code ?? (error as Error).message})`, {
    cause: error, hint: code === 'ENOSPC' ? 'the disk is full: free some space, then run again' : 'check that the database folder is writable',
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
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(path, me)) return { stale, release: releaser(path, me) };
    const ino = inode(path);
    const holder = readHolder(path);
    if (holder && alive(holder.pid) && holder.pid !== process.pid) {
      throw new LockError(`database ${database} is in use by another ducksteps run (PID ${holder.pid}, started ${holder.startedAt})`, {
        hint: `wait for it to finish or stop it; if no run is active, delete ${path}`,
      });
    }
    stale = holder ?? stale;
    takeOver(path, ino);
  }
  throw new LockError(`could not take the run lock ${path}`, { hint: `delete ${path} if no run is active` });
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
