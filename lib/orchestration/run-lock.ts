// A run-level lock beside the database, so a second run cannot slip in between two steps of the first.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { LockError } from '../errors.js';

interface Holder {
  readonly pid: number;
  readonly runId: string;
  readonly startedAt: string;
}

/** Whether a process is running; a zombie (dead, not yet reaped by its parent) is not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS, Windows): trust kill(0)
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

export interface Lock {
  /** A run that held the lock and died without releasing it (its run id), if any. */
  readonly stale?: Holder;
  release(): void;
}

/** Takes `<database>.lock`; throws LockError naming the holder's PID when another run is alive. */
export function acquireLock(database: string, runId: string): Lock {
  const path = `${database}.lock`;
  const me: Holder = { pid: process.pid, runId, startedAt: new Date().toISOString() };
  let stale: Holder | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx' });
      const release = () => rmSync(path, { force: true });
      process.once('exit', release);
      return { stale, release };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        rmSync(path, { force: true }); // a full disk can leave an empty lock file behind
        throw new LockError(`cannot write the run lock ${path} (${code ?? (error as Error).message})`, {
          cause: error, hint: code === 'ENOSPC' ? 'the disk is full: free some space, then run again' : 'check that the database folder is writable',
        });
      }
      const holder = readHolder(path);
      if (holder && alive(holder.pid) && holder.pid !== process.pid) {
        throw new LockError(`database ${database} is in use by another ducksteps run (PID ${holder.pid}, started ${holder.startedAt})`, {
          hint: `wait for it to finish or stop it; if no run is active, delete ${path}`,
        });
      }
      stale = holder;
      rmSync(path, { force: true });
    }
  }
  throw new LockError(`could not take the run lock ${path}`, { hint: `delete ${path} if no run is active` });
}
