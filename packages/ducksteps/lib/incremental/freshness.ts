// How old each input's newest file is (issue 36): from the ledger's files (their modification time when they
// were loaded: when they arrived) and the files in landing and archive now. `run` stops before its steps when an
// input is past its "errorAfter" (unless --ignore-freshness); `list`, the report and the artifacts show it.
import { FreshnessError } from '../errors.js';
import type { Ledger, Settings } from '../model.js';
import { scanStore } from '../project/inputs.js';
import type { InputFreshness } from '../results.js';
import { ledgerOf } from './read-ledger.js';

/** "3d 4h", "26h 5m", "12m": an age as people read it. */
export function formatAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m`;
}

const statusOf = (age: number | undefined, warn?: number, error?: number): InputFreshness['status'] =>
  age === undefined
    ? error !== undefined || warn !== undefined
      ? 'none'
      : 'pass'
    : error !== undefined && age > error
      ? 'error'
      : warn !== undefined && age > warn
        ? 'warn'
        : 'pass';

/** Each input's freshness now. The ledger is read (a worker) when `ledger` is not given and some input has
 * thresholds; without thresholds the files in landing and archive tell the age. */
export async function freshnessOf(
  root: string,
  settings: Settings,
  options: { now?: number; ledger?: Ledger } = {},
): Promise<InputFreshness[]> {
  if (Object.keys(settings.inputs).length === 0) return [];
  const now = options.now ?? Date.now();
  const checked = Object.keys(settings.freshness ?? {}).length > 0;
  const ledger = options.ledger ?? (checked ? await ledgerOf(root, settings) : undefined);
  const store = scanStore(root, settings, true);
  return Object.entries(settings.inputs).map(([input, glob]) => {
    const files = [...(ledger?.files ?? []), ...store.files].filter((f) => f.input === input);
    const newest = files.reduce<(typeof files)[number] | undefined>(
      (a, f) => (!a || f.mtimeMs > a.mtimeMs ? f : a),
      undefined,
    );
    const { warnAfterMs, errorAfterMs } = settings.freshness?.[input] ?? {};
    const ageMs = newest && Math.max(0, Math.round(now - newest.mtimeMs));
    return {
      input,
      glob,
      newest: newest?.path,
      arrivedAt: newest && new Date(newest.mtimeMs).toISOString(),
      ageMs,
      warnAfterMs,
      errorAfterMs,
      status: statusOf(ageMs, warnAfterMs, errorAfterMs),
      files: new Set(files.map((f) => f.path)).size,
    };
  });
}

/** One line about an input that is late (or has no file yet), for the console, `list` and the error. */
export function freshnessLine(f: InputFreshness): string {
  const limit = f.status === 'warn' ? f.warnAfterMs : f.errorAfterMs;
  const which = f.status === 'warn' ? 'warnAfter' : 'errorAfter';
  if (f.status === 'none') return `input ${f.input} has no file yet (${f.glob})`;
  return `input ${f.input} is late: its newest file ${f.newest} arrived ${formatAge(f.ageMs ?? 0)} ago, past ${which} ${formatAge(limit ?? 0)}`;
}

/** Throws FreshnessError for the first input past its errorAfter (or with no file while errorAfter is set),
 * unless `ignore`; returns the warnings to show (the ignored errors among them). */
export function checkFreshness(states: readonly InputFreshness[], ignore = false): string[] {
  const failing = states.filter((f) => f.status === 'error' || (f.status === 'none' && f.errorAfterMs !== undefined));
  if (failing.length > 0 && !ignore)
    throw new FreshnessError(
      `${freshnessLine(failing[0])}${failing.length > 1 ? ` (and ${failing.length - 1} more)` : ''}`,
      {
        file: 'package.json',
        hint: `check the delivery into ${failing[0].glob}; ./run.sh --ignore-freshness runs anyway (docs/observability.md)`,
      },
    );
  const late = states.filter((f) => f.status === 'warn' || f.status === 'none' || failing.includes(f));
  return late.map((f) => `${freshnessLine(f)}${failing.includes(f) ? ' (--ignore-freshness: running anyway)' : ''}`);
}
