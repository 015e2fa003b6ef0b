// The publish targets: publish/*.sql, one query each, its kind, destination and mode in header directives.
//   -- publish: postgres ml.customer_features      (or: -- publish: file output/daily_revenue.csv)
//   -- mode: replace | append | upsert             (default: the kind's first mode)
//   -- key: customer_id                            (upsert: the columns that identify a row)
// plus the kind's own fields (postgres: -- url-env:, -- optional:). Each kind checks its part (registry.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiscoveryError } from '../errors.js';
import type { PublishTarget } from '../model.js';
import { directive, readDirectives } from '../sql/directives.js';
import { publishKinds } from './registry.js';

function parse(root: string, file: string): PublishTarget {
  const directives = readDirectives(readFileSync(join(root, file), 'utf8'));
  const field = (key: string) => directive(directives, key);
  const fail = (what: string, hint: string) => new DiscoveryError(what, { file, hint });
  const line = (field('publish') ?? '').trim();
  const name = line.split(/\s+/, 1)[0];
  const destination = line.slice(name.length).trim(); // the rest of the line: a path or "My Schema".t may hold spaces
  const kind = publishKinds[name];
  const forms = Object.values(publishKinds)
    .map((k) => `"-- publish: ${k.name} ${k.example}"`)
    .join(' or ');
  if (!kind) throw fail(`publish target has no ${forms} line`, 'see docs/publish.md');
  if (!destination) throw fail(`"-- publish: ${name}" needs a destination`, `e.g. -- publish: ${name} ${kind.example}`);
  const mode = (field('mode') ?? kind.modes[0]).toLowerCase() as PublishTarget['mode'];
  if (mode !== 'replace' && mode !== 'append' && mode !== 'upsert')
    throw fail(`unknown mode "${mode}"`, 'use -- mode: replace, append or upsert');
  if (!kind.modes.includes(mode))
    throw fail(
      `a ${name} target is always ${kind.modes.join(' or ')}d (mode ${mode} is for other targets)`,
      'remove the -- mode line',
    );
  const key = (field('key') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (mode === 'upsert' && key.length === 0) throw fail('mode upsert needs the key columns', 'add -- key: col1, col2');
  const options = Object.fromEntries(Object.entries(kind.fields).map(([k, fallback]) => [k, field(k) ?? fallback]));
  const target: PublishTarget = { file, kind: name, destination, mode, key, options };
  const problem = kind.check(target);
  if (problem) throw fail(problem.message, problem.hint);
  return target;
}

/** publish/*.sql in name order; [] when the project has no publish/ folder. */
export function discoverTargets(root: string): PublishTarget[] {
  if (!existsSync(join(root, 'publish'))) return [];
  return readdirSync(join(root, 'publish'))
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parse(root, `publish/${f}`));
}
