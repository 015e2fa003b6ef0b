// A doctor check's answer: ok, a warning (it runs, but something will not work as expected) or an error (it
// will not run), what was found, and how to fix it.

export type Level = 'ok' | 'warning' | 'error';

export interface Check {
  readonly name: string;
  readonly level: Level;
  readonly detail: string;
  readonly fix?: string;
}

/** A check that passed. */
export const ok = (name: string, detail: string): Check => ({ name, level: 'ok', detail });
/** A check that found something that will not work as expected, and how to fix it. */
export const warning = (name: string, detail: string, fix: string): Check => ({ name, level: 'warning', detail, fix });
/** A check that found something that stops ducksteps, and how to fix it. */
export const error = (name: string, detail: string, fix: string): Check => ({ name, level: 'error', detail, fix });

/** A check from a thrown DuckstepsError (its short message and its hint), or any other error's first line. */
export function fromError(name: string, thrown: unknown): Check {
  const e = thrown as { shortMessage?: string; message?: string; hint?: string; file?: string };
  const what = e.shortMessage ?? String(e.message ?? thrown).split('\n')[0];
  return error(name, e.file ? `${e.file}: ${what}` : what, e.hint ?? 'see docs/errors.md');
}
