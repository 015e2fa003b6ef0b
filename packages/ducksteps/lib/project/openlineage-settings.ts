// Where a run's OpenLineage events go (docs/observability.md): DUCKSTEPS_OPENLINEAGE_URL (an HTTP endpoint,
// e.g. Marquez's http://host:5000/api/v1/lineage) and/or package.json "openlineage": { "file": "logs/…jsonl",
// "url": …, "namespace": … }. None set: no events.
import { ConfigError } from '../errors.js';
import type { OpenLineageSettings } from '../model.js';

const KEYS = ['file', 'url', 'namespace'];

/** An endpoint URL, refused unless http(s). */
function checkedUrl(url: string | undefined, inPackage: boolean): string | undefined {
  if (url && !/^https?:\/\//i.test(url))
    throw new ConfigError(`the OpenLineage endpoint must be an http(s) URL, got "${url}"`, {
      file: inPackage ? 'package.json' : undefined,
      hint: 'e.g. DUCKSTEPS_OPENLINEAGE_URL=http://localhost:5000/api/v1/lineage',
    });
  return url;
}

/** The OpenLineage settings, or undefined when neither the variable nor package.json asks for events. */
export function openLineageSetting(value: unknown, env = process.env): OpenLineageSettings | undefined {
  const url = checkedUrl(env.DUCKSTEPS_OPENLINEAGE_URL?.trim() || undefined, false);
  if (value === undefined) return url ? { url, namespace: 'ducksteps' } : undefined;
  const hint = 'e.g. "openlineage": { "file": "logs/openlineage.jsonl" } (docs/observability.md)';
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError('"ducksteps"."openlineage" must be an object', { file: 'package.json', hint });
  const o = value as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !KEYS.includes(k));
  if (extra)
    throw new ConfigError(`"ducksteps"."openlineage" has an unknown key "${extra}"`, {
      file: 'package.json',
      hint: `known keys: ${KEYS.join(', ')}`,
    });
  for (const k of KEYS)
    if (o[k] !== undefined && (typeof o[k] !== 'string' || (o[k] as string).trim() === ''))
      throw new ConfigError(`"ducksteps"."openlineage"."${k}" must be a non-empty string`, {
        file: 'package.json',
        hint,
      });
  const target = url ?? checkedUrl(o.url as string | undefined, true);
  return {
    url: target,
    file: o.file as string | undefined,
    namespace: (o.namespace as string | undefined) ?? 'ducksteps',
  };
}
