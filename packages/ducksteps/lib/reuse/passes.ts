// The passes a run keeps for the next one (logs/compiled/assertion-passes.json, unit-passes.json): which
// check passed in which run, under which stamp. Read and written by reuse.ts (assertions) and units.ts.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const sha = (text: string) => createHash('sha256').update(text).digest('hex');
/** `logs`: the target's logs folder (assertion passes stand for one warehouse: each target keeps its own). */
const passesFile = (root: string, what: 'unit' | 'assertion', logs = join(root, 'logs')) =>
  join(logs, 'compiled', `${what}-passes.json`);

/** This build of the framework (tsc rewrites every output file): a changed framework checks again. */
export const BUILD = (() => {
  try {
    const s = statSync(fileURLToPath(import.meta.url));
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return String(Math.random()); // not found: never reuse
  }
})();

/** An assertion's warning as it was answered: the same offending rows stand while the warehouse is unchanged. */
export interface Warned {
  readonly failingRows: number;
  readonly columns: readonly string[];
  readonly sample: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly failuresFile: string; // logs/test_failures/<name>.csv, kept in logs/compiled/assertion-warnings/
}

export interface Passes {
  readonly stamp?: string; // assertions: the warehouse file they were checked on
  readonly runId: string;
  readonly keys: Readonly<Record<string, string>>; // key -> the run that checked it
  readonly warned?: Readonly<Record<string, Warned>>; // assertions: the keys whose answer was a warning
}

/** The passes an earlier run kept; undefined when there are none (or they cannot be read: everything runs). */
export function readPasses(root: string, what: 'unit' | 'assertion', logs?: string): Passes | undefined {
  try {
    return existsSync(passesFile(root, what, logs))
      ? (JSON.parse(readFileSync(passesFile(root, what, logs), 'utf8')) as Passes)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps this run's passes (not written: the next run checks everything again). */
export function writePasses(root: string, what: 'unit' | 'assertion', passes: Passes, logs?: string): void {
  try {
    mkdirSync(dirname(passesFile(root, what, logs)), { recursive: true });
    writeFileSync(passesFile(root, what, logs), JSON.stringify(passes));
  } catch {
    // nothing to do
  }
}
