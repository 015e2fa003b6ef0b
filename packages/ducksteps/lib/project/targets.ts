// Targets: package.json "ducksteps"."targets" names environments (prod, dev, …), each with its own warehouse,
// data path, vars and publish destinations; "target" names the default one and --target picks another.
//   "targets": { "prod": { "database": "data/prod.duckdb" },
//                "dev":  { "database": "data/dev.duckdb", "publish": false, "defer": "prod" } }
import { join } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import type { PublishTo } from '../model.js';

/** One target as package.json declares it, checked. */
export interface TargetSettings {
  readonly name: string;
  readonly database?: string;
  readonly dataPath?: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly publish?: PublishTo;
  readonly defer?: string;
}

const KEYS = ['database', 'dataPath', 'vars', 'publish', 'defer'];
const PUBLISH_KEYS = ['output', 'urlEnv', 'schemas'];
/** Folders logs/ already holds: a target of that name would mix its logs with them. */
const RESERVED = ['compiled', 'test_failures', 'unit_failures', 'state', 'steps'];
const NAME = /^[a-z][a-z0-9_-]*$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const fail = (what: string, hint: string) => new ConfigError(what, { file: 'package.json', hint });

function unknownKey(value: Record<string, unknown>, keys: readonly string[], where: string): void {
  const bad = Object.keys(value).find((k) => !keys.includes(k));
  if (bad) throw fail(`unknown setting ${where}."${bad}"`, `a target takes: ${keys.join(', ')} (docs/environments.md)`);
}

function stringOf(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw fail(`${where} must be a non-empty string`, 'see docs/environments.md');
  return value;
}

function publishOf(value: unknown, where: string): PublishTo | undefined {
  if (value === undefined || value === true) return undefined;
  if (value === false) return false;
  if (!isObject(value))
    throw fail(
      `${where} must be false or an object`,
      '"publish": false, or { "output": "output/dev", "urlEnv": "DEV_PG_URL", "schemas": { "ml": "ml_dev" } }',
    );
  unknownKey(value, PUBLISH_KEYS, where);
  const schemas = value.schemas ?? {};
  if (!isObject(schemas) || Object.values(schemas).some((s) => typeof s !== 'string'))
    throw fail(`${where}."schemas" must map schema names to schema names`, 'e.g. "schemas": { "ml": "ml_dev" }');
  return {
    output: stringOf(value.output, `${where}."output"`),
    urlEnv: stringOf(value.urlEnv, `${where}."urlEnv"`),
    schemas: schemas as Record<string, string>,
  };
}

function targetOf(name: string, value: unknown): TargetSettings {
  const where = `"ducksteps"."targets"."${name}"`;
  if (!NAME.test(name) || RESERVED.includes(name))
    throw fail(
      `target name "${name}" is not allowed`,
      `use lower-case letters, digits, _ or - (not ${RESERVED.join(', ')}: logs/ holds folders of those names)`,
    );
  if (!isObject(value)) throw fail(`${where} must be an object`, 'e.g. { "database": "data/dev.duckdb" }');
  unknownKey(value, KEYS, where);
  const vars = value.vars ?? {};
  if (!isObject(vars)) throw fail(`${where}."vars" must be an object`, 'e.g. "vars": { "orders": "1000" }');
  return {
    name,
    database: stringOf(value.database, `${where}."database"`),
    dataPath: stringOf(value.dataPath, `${where}."dataPath"`),
    vars: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])),
    publish: publishOf(value.publish, `${where}."publish"`),
    defer: stringOf(value.defer, `${where}."defer"`),
  };
}

/** Every declared target, checked: names, keys, and no two targets on one warehouse (their locks, ledgers and
 * tables would be one). */
export function declaredTargets(targets: unknown, fallbackDatabase: string): Map<string, TargetSettings> {
  if (targets === undefined) return new Map();
  if (!isObject(targets))
    throw fail('"ducksteps"."targets" must be an object', 'e.g. "targets": { "prod": {…}, "dev": {…} }');
  const all = new Map(Object.entries(targets).map(([name, value]) => [name, targetOf(name, value)]));
  const seen = new Map<string, string>();
  for (const t of all.values()) {
    const db = t.database ?? fallbackDatabase;
    const other = seen.get(db);
    if (other)
      throw fail(
        `targets "${other}" and "${t.name}" both use the database ${db}`,
        'give each target its own "database": a target is its own warehouse',
      );
    seen.set(db, t.name);
  }
  for (const t of all.values())
    if (t.defer !== undefined) checkTargetName(all, t.defer, `"ducksteps"."targets"."${t.name}"."defer"`);
  return all;
}

/** Refuses a target name no target has. */
export function checkTargetName(all: ReadonlyMap<string, TargetSettings>, name: string, where: string): TargetSettings {
  const target = all.get(name);
  if (target) return target;
  if (all.size === 0)
    throw new UsageError(`${where} names target "${name}", and package.json declares no "targets"`, {
      hint: 'declare them in package.json "ducksteps"."targets" (docs/environments.md)',
    });
  throw new UsageError(`${where} names target "${name}", which package.json does not declare`, {
    hint: `targets: ${[...all.keys()].join(', ')}`,
  });
}

/** The target a command uses: --target, else "target", else none (a project without targets). */
export function chosenTarget(
  all: ReadonlyMap<string, TargetSettings>,
  flag: string | undefined,
  fallback: unknown,
): TargetSettings | undefined {
  if (flag !== undefined) return checkTargetName(all, flag, '--target');
  if (fallback === undefined) {
    if (all.size > 0)
      throw fail(
        'package.json declares "targets" but no default "target"',
        `add "target": "${[...all.keys()][0]}" beside "targets"`,
      );
    return undefined;
  }
  if (typeof fallback !== 'string') throw fail('"ducksteps"."target" must be a string', 'the name of a target');
  return checkTargetName(all, fallback, 'package.json "ducksteps"."target"');
}

/** Where a target's logs go: logs/ for the default target (and a project without targets), so a project that
 * adds targets keeps its history where it was; logs/NAME/ for every other target. */
export function logsFolder(root: string, target: TargetSettings | undefined, fallback: unknown): string {
  return target === undefined || target.name === fallback ? join(root, 'logs') : join(root, 'logs', target.name);
}
