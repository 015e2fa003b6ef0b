// What a run knows about what changed, shared by the driver (which decides what is up to date) and the worker
// (which records it in the warehouse, in the step's own transaction): the tables' versions, a step's recorded
// inputs, and the stamps that stand for a file's content. docs/internals.md, "Change-aware skip".
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The version every step reads: bumped when something wrote what ducksteps cannot name (a step's script on
 * the warehouse, a statement whose table is unknown, a write from outside ducksteps). */
export const ANYTHING = '*';
/** The version of the warehouse's (non-temporary) macros: a step that defines one bumps it, every step reads it. */
export const MACROS = '(macros)';

/** What a statement does to a table: adds rows, removes or changes some, or defines it anew. */
export type WriteKind =
  'insert' | 'clear' | 'delete' | 'update' | 'merge' | 'create' | 'create-if-absent' | 'replace' | 'drop' | 'alter';

/** A statement's writes: the tables and how; 'unknown' where it writes something ducksteps cannot name. */
export type StatementWrites = { readonly tables: readonly string[]; readonly kind: WriteKind } | 'unknown' | null;

/** What a step's transaction records about itself (StepJob.state). */
export interface StepStateJob {
  readonly pipeline: string;
  readonly runId: string;
  /** Its rendered SQL, script and vars, the framework: '' when the step is never up to date (record versions only). */
  readonly fingerprint: string;
  /** Tables (and ANYTHING, MACROS) whose versions it depends on: what it reads, through views and macros. */
  readonly reads: readonly string[];
  /** Tables its SQL writes (lineage): each gets a new version in the transaction. */
  readonly writes: readonly string[];
  /** file -> its statements' writes, in order (as splitStatements cuts the file). */
  readonly statements: Readonly<Record<string, readonly StatementWrites[]>>;
  /** Files (paths or globs, project-relative) its SQL reads, and writes: stamped with the state. */
  readonly files: readonly string[];
  readonly filesWritten: readonly string[];
  /** Bump ANYTHING: something else wrote the warehouse, or the step writes what cannot be named. */
  readonly anything: boolean;
  /** A DuckDB file: its stamp after ducksteps' last commit (a different one at open: something else wrote). */
  readonly expect?: string;
  /** A local step (an in-memory database): nothing is written, the record comes back to the driver. */
  readonly local?: boolean;
}

/** A step's recorded inputs: the versions of the tables it read and wrote, its files' stamps, its script's word. */
export interface StepInputs {
  readonly tables: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, string>>;
  readonly script?: string;
}

/** A step's state as its last successful commit left it. */
export interface StepRecord {
  readonly fingerprint: string;
  readonly inputs: StepInputs;
  /** A DuckLake: the snapshot the step read (a later snapshot by another author may have changed its inputs). */
  readonly snapshot?: number;
}

/** What the warehouse says about changes: each table's current version, each step's record. */
export interface RecordedState {
  readonly versions: Readonly<Record<string, string>>;
  readonly steps: Readonly<Record<string, StepRecord>>;
  /** A DuckLake: the last snapshot another author (not ducksteps) committed. */
  readonly foreign?: number;
}

/** What a step's worker says about the state after the step. */
export interface StepStateOutcome {
  /** The new version of each table it wrote. */
  readonly versions: Readonly<Record<string, string>>;
  /** The record it wrote (or, for a local step, would: the driver keeps it). */
  readonly record?: StepRecord;
  /** A DuckDB file: its stamp after the worker closed it. */
  readonly stamp?: string;
  /** The file's stamp at open was not the expected one: something else wrote it. */
  readonly outside?: boolean;
}

/** A file's stamp: size, modification and change times, inode (what stands for its content); '-' when absent. */
export function fileStamp(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    if (s.isDirectory()) return `dir:${directoryStamp(path)}`;
    return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}:${s.dev}`;
  } catch {
    return '-';
  }
}

function directoryStamp(dir: string): string {
  return listFiles(dir)
    .map((f) => `${relative(dir, f)}=${fileStamp(f)}`)
    .join(',');
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** A DuckDB file's stamp: the file and its write-ahead log. */
export const databaseStamp = (path: string): string => `${fileStamp(path)}|${fileStamp(`${path}.wal`)}`;

const GLOB = /[*?[{]/;

/** Whether ducksteps can stamp what a path names (a local path or glob; not a URL). */
export const stampable = (path: string): boolean => !/^[a-z][a-z0-9+.-]*:\/\//i.test(path);

/** The stamps of the files some paths and globs name (project-relative, as DuckDB reads them from the project
 * folder): path -> stamp, every file a glob matches listed, '-' for a path that is absent. */
export async function fileStamps(root: string, patterns: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const pattern of [...patterns].sort()) {
    if (!GLOB.test(pattern)) {
      out[pattern] = fileStamp(resolve(root, pattern));
      continue;
    }
    const parts = pattern.split('/');
    const fixed = parts
      .slice(
        0,
        parts.findIndex((p) => GLOB.test(p)),
      )
      .join('/');
    const base = resolve(root, fixed || '.');
    const { default: picomatch } = await import('picomatch');
    const matches = picomatch(pattern.slice(fixed ? fixed.length + 1 : 0), { dot: false });
    const found = existsSync(base) ? listFiles(base).filter((f) => matches(relative(base, f))) : [];
    out[pattern] = found.length === 0 ? 'none' : String(found.length);
    for (const file of found.sort()) out[join(fixed, relative(base, file))] = fileStamp(file);
  }
  return out;
}

/** What a step script's `inputs()` receives: no warehouse, only where it is and its vars. */
export interface ScriptInputsContext {
  readonly vars: Readonly<Record<string, string>>;
  readonly step: { readonly number: number; readonly name: string; readonly id: string };
  readonly projectRoot: string;
}

/** The digest of what a step script says it reads (its `inputs(ctx)`: any JSON value), or undefined when it
 * says nothing (then the step always runs). */
export async function scriptInputs(
  module: { inputs?: (ctx: ScriptInputsContext) => unknown },
  ctx: ScriptInputsContext,
): Promise<string | undefined> {
  if (typeof module.inputs !== 'function') return undefined;
  const value = await module.inputs(ctx);
  return createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('hex');
}
