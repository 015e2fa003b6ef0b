// What show and sql share: the settings naming the warehouse, the output format, and how names are quoted on
// the engine that will read them.
import { traitsOf } from '../engines/traits.js';
import { UsageError } from '../errors.js';
import type { Settings } from '../model.js';
import { loadSettings, type CliSettings } from '../project/config.js';
import type { RowsFormat } from '../report/rows.js';
import type { CommandContext } from './context.js';

/** The output format --csv or --json ask for (not both), else a table. */
export function formatOf(flags: CommandContext['flags']): RowsFormat {
  if (flags.csv && flags.json) throw new UsageError('--csv and --json cannot go together', { hint: 'pick one' });
  return flags.csv ? 'csv' : flags.json ? 'json' : 'table';
}

/** --limit N (a whole number >= 0), else `fallback`. */
export function limitOf(flags: CommandContext['flags'], fallback?: number): number | undefined {
  if (flags.limit === undefined) return fallback;
  const n = Number(flags.limit);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--limit must be a whole number >= 0, got "${flags.limit}"`);
  return n;
}

/** The settings of the warehouse to read (package.json, then --db, --data-path, --engine). */
export const readSettings = (root: string, flags: CommandContext['flags']): Settings =>
  loadSettings(root, flags as CliSettings);

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A name as the engine reads it: as written when plain, else quoted as its dialect quotes ("…" on DuckDB). */
export const quoteName = (name: string, settings: Settings): string =>
  PLAIN.test(name) ? name : traitsOf(settings.engine).quote(name);
