// What the driver keeps beside the warehouse, in logs/compiled/: the stamp a DuckDB file had after ducksteps'
// last commit to it (a file cannot hold its own stamp), and the records of local steps (they never open the
// warehouse; the files they write are on this machine). Each is written after the commit it follows: a crash
// in between loses the file, and the next run then trusts nothing (everything runs, nothing is skipped).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StepRecord } from '../changes.js';

const stampPath = (root: string) => join(root, 'logs', 'compiled', 'warehouse-stamp.json');
const localPath = (root: string) => join(root, 'logs', 'compiled', 'local-steps.json');

function readJson<T>(path: string): T | undefined {
  try {
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
  } catch {
    return undefined; // unreadable: nothing is trusted
  }
}

function writeJson(path: string, value: unknown): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, JSON.stringify(value));
    renameSync(`${path}.tmp`, path);
  } catch {
    rmSync(path, { force: true }); // not kept: the next run trusts nothing
  }
}

/** The stamp ducksteps' last commit left on the DuckDB file at `database` (undefined: none known). */
export function recordedStamp(root: string, database: string): string | undefined {
  const kept = readJson<{ database: string; stamp: string }>(stampPath(root));
  return kept?.database === database ? kept.stamp : undefined;
}

/** Keeps the file's stamp after a commit (undefined: unknown, as after a worker that died). */
export function keepStamp(root: string, database: string, stamp: string | undefined): void {
  if (stamp === undefined) rmSync(stampPath(root), { force: true });
  else writeJson(stampPath(root), { database, stamp });
}

/** The records of the project's local steps. */
export const localRecords = (root: string): Record<string, StepRecord> =>
  readJson<Record<string, StepRecord>>(localPath(root)) ?? {};

/** Keeps a local step's record after it succeeded. */
export function keepLocalRecord(root: string, step: string, record: StepRecord): void {
  writeJson(localPath(root), { ...localRecords(root), [step]: record });
}
