// The publish phase's targets: publish/*.sql, one query each, its destination and mode in header comments.
//   -- publish: postgres ml.customer_features      (or: -- publish: file output/daily_revenue.csv)
//   -- mode: replace | append | upsert             (default replace)
//   -- key: customer_id                            (upsert: the columns that identify a row)
//   -- url-env: DUCKSTEPS_PG_URL                   (postgres: the variable holding the connection URL)
//   -- optional: yes                               (postgres: skip, not fail, when that variable is unset)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiscoveryError } from '../errors.js';

export type PublishMode = 'replace' | 'append' | 'upsert';

export interface PublishTarget {
  readonly file: string; // publish/NN_name.sql
  readonly kind: 'file' | 'postgres';
  readonly destination: string; // a file path, or schema.table
  readonly mode: PublishMode;
  readonly key: readonly string[];
  readonly urlEnv: string;
  readonly optional: boolean;
}

const HEADER = /^\s*--\s*(publish|mode|key|url-env|optional):\s*(.+?)\s*$/gm;
const FILE_FORMATS = /\.(parquet|csv|json|jsonl|ndjson)$/i;
const TABLE = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

function parse(root: string, file: string): PublishTarget {
  const text = readFileSync(join(root, file), 'utf8');
  const fields = Object.fromEntries([...text.matchAll(HEADER)].map((m) => [m[1], m[2]]));
  const fail = (what: string, hint: string) => new DiscoveryError(what, { file, hint });
  const [kind, destination] = (fields.publish ?? '').split(/\s+/, 2);
  if (kind !== 'file' && kind !== 'postgres') throw fail('publish target has no "-- publish: file PATH" or "-- publish: postgres SCHEMA.TABLE" line', 'see docs/publish.md');
  if (!destination) throw fail(`"-- publish: ${kind}" needs a destination`, kind === 'file' ? 'e.g. -- publish: file output/daily.parquet' : 'e.g. -- publish: postgres ml.daily_revenue');
  if (kind === 'file' && !FILE_FORMATS.test(destination)) throw fail(`cannot tell the file format of ${destination}`, 'end the path with .parquet, .csv or .json');
  if (kind === 'postgres' && !TABLE.test(destination)) throw fail(`"${destination}" is not schema.table`, 'e.g. -- publish: postgres ml.daily_revenue (plain names: letters, digits, _)');
  const mode = (fields.mode ?? 'replace').toLowerCase();
  if (mode !== 'replace' && mode !== 'append' && mode !== 'upsert') throw fail(`unknown mode "${mode}"`, 'use -- mode: replace, append or upsert');
  if (kind === 'file' && mode !== 'replace') throw fail(`a file target is always replaced (mode ${mode} is for postgres targets)`, 'remove the -- mode line');
  const key = (fields.key ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (mode === 'upsert' && key.length === 0) throw fail('mode upsert needs the key columns', 'add -- key: col1, col2');
  return { file, kind, destination, mode, key, urlEnv: fields['url-env'] ?? 'DUCKSTEPS_PG_URL', optional: /^(yes|true)\b/i.test(fields.optional ?? '') };
}

/** publish/*.sql in name order; [] when the project has no publish/ folder. */
export function discoverTargets(root: string): PublishTarget[] {
  if (!existsSync(join(root, 'publish'))) return [];
  return readdirSync(join(root, 'publish')).filter((f) => f.endsWith('.sql')).sort().map((f) => parse(root, `publish/${f}`));
}
