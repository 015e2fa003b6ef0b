// What a killed run (kill -9, power loss) leaves behind, removed at the next start: its worker pool's
// folder in the system temp folder, and the temporary files it wrote beside a file it was replacing. Both
// carry the PID of the run that made them; only those of runs no longer alive are removed.
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { alive } from './alive.js';

/** The prefix of a worker pool's temporary folder: ducksteps-<pid>-. */
export const poolPrefix = (pid = process.pid) => `ducksteps-${pid}-`;

const POOL = /^ducksteps-(\d+)-/;
let swept = false;

/** Removes the pool folders of dead runs from the system temp folder (once per process). */
export function removeDeadPools(folder = tmpdir()): void {
  if (swept) return;
  swept = true;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.match(POOL)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) rmSync(join(folder, name), { recursive: true, force: true });
  }
}

/** Removes `<file>.ducksteps-<pid>.tmp` files of dead runs beside each of `files` (absolute paths). */
export function removeDeadTemporaries(files: readonly string[]): void {
  for (const file of files) {
    let names: string[];
    try {
      names = readdirSync(dirname(file));
    } catch {
      continue; // no folder yet: nothing was ever written there
    }
    const own = new RegExp(`^${basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.ducksteps-(\\d+)\\.tmp$`);
    for (const name of names) {
      const pid = Number(name.match(own)?.[1]);
      if (pid && pid !== process.pid && !alive(pid)) rmSync(join(dirname(file), name), { force: true });
    }
  }
}
