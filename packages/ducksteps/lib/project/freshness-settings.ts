// The freshness thresholds of package.json "ducksteps"."inputs": an input written as an object may say how old
// its newest file may get, { "path": GLOB, "freshness": { "warnAfter": "26h", "errorAfter": "50h" } }; checked
// when the settings are read, like every other setting.
import { ConfigError } from '../errors.js';
import type { Freshness } from '../model.js';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "26h", "90m", "2d" -> milliseconds; throws a ConfigError naming the key otherwise. */
function threshold(value: unknown, key: string): number | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? value.trim().match(/^(\d+(?:\.\d+)?)\s*(m|h|d)$/) : null;
  if (!match || Number(match[1]) <= 0)
    throw new ConfigError(`${key} must be a duration like "90m", "26h" or "2d", got ${JSON.stringify(value)}`, {
      file: 'package.json',
      hint: 'minutes (m), hours (h) or days (d): how old the newest file of the input may get (docs/observability.md)',
    });
  return Math.round(Number(match[1]) * UNITS[match[2]]);
}

/** One input's thresholds, or undefined when it has none (a plain glob, or no "freshness"). */
function freshnessOf(name: string, value: unknown): Freshness | undefined {
  if (typeof value !== 'object' || value === null || !('freshness' in value)) return undefined;
  const key = `"ducksteps"."inputs"."${name}"."freshness"`;
  const raw = (value as { freshness: unknown }).freshness;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`${key} must be an object like { "warnAfter": "26h", "errorAfter": "50h" }`, {
      file: 'package.json',
    });
  const extra = Object.keys(raw).find((k) => k !== 'warnAfter' && k !== 'errorAfter');
  if (extra)
    throw new ConfigError(`${key} has an unknown key "${extra}"`, {
      file: 'package.json',
      hint: 'freshness takes "warnAfter" and "errorAfter"',
    });
  const { warnAfter, errorAfter } = raw as { warnAfter?: unknown; errorAfter?: unknown };
  const warnAfterMs = threshold(warnAfter, `${key}."warnAfter"`);
  const errorAfterMs = threshold(errorAfter, `${key}."errorAfter"`);
  if (warnAfterMs !== undefined && errorAfterMs !== undefined && warnAfterMs > errorAfterMs)
    throw new ConfigError(
      `${key}: "warnAfter" (${String(warnAfter)}) is later than "errorAfter" (${String(errorAfter)})`,
      {
        file: 'package.json',
        hint: 'a late input should warn before it fails the run: make warnAfter the smaller one',
      },
    );
  return { warnAfterMs, errorAfterMs };
}

/** Input name -> its freshness thresholds, for the inputs that declare them. */
export function freshnessSetting(value: unknown): Record<string, Freshness> {
  const out: Record<string, Freshness> = {};
  for (const [name, raw] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    const f = freshnessOf(name, raw);
    if (f) out[name] = f;
  }
  return out;
}
