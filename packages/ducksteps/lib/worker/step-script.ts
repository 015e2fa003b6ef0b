// The optional steps/NN_name.ts script: what it receives, how it is loaded, and where its errors point.
import { pathToFileURL } from 'node:url';
import { relative, sep } from 'node:path';
import type { Database } from '../engines/duckdb/database.js';
import type { Batch, StepError } from '../model.js';
import type { ScriptInputsContext } from '../changes.js';

/** What a step script's before() and after() receive. Both run inside the step's transaction. */
export interface StepContext {
  /** The step's open session: db.run(sql), db.query(sql); on DuckDB, db.connection for appenders. */
  readonly db: Database;
  readonly vars: Readonly<Record<string, string>>;
  readonly step: { readonly number: number; readonly name: string; readonly id: string };
  /** Absolute project folder (the worker's working directory). */
  readonly projectRoot: string;
  /** In an incremental step: the batch it processes (id, files with their current location, full refresh). */
  readonly batch?: Batch;
  /** Prints a line under the step in the run output. */
  log(message: string): void;
}

export interface StepScript {
  before?(context: StepContext): Promise<void> | void;
  after?(context: StepContext): Promise<void> | void;
  /** What else the step reads (any JSON value): with it, the step is skipped when that and its SQL, script
   * and vars are as they were at its last successful run (docs/steps.md). */
  inputs?(context: ScriptInputsContext): unknown;
}

/** Imports the script and checks that it exports before() and/or after(). */
export async function loadScript(path: string): Promise<StepScript> {
  const module = (await import(pathToFileURL(path).href)) as StepScript;
  if (typeof module.before !== 'function' && typeof module.after !== 'function') {
    throw Object.assign(new Error('the script exports neither before() nor after()'), {
      hint: 'export async function before(ctx) and/or after(ctx); see docs/steps.md',
    });
  }
  return module;
}

/** A script's exception, located at the first stack frame inside the script. */
export function scriptError(error: unknown, path: string, root: string): StepError {
  const file = relative(root, path).split(sep).join('/');
  const err = error as { message?: string; stack?: string; hint?: string };
  const url = pathToFileURL(path).href;
  const frame = (err.stack ?? '').split('\n').find((l) => l.includes(url) || l.includes(path));
  const line = Number(frame?.match(/:(\d+):\d+\)?\s*$/)?.[1]) || undefined;
  return { message: err.message ?? String(error), file, line, hint: err.hint ?? 'fix the script and run again' };
}
