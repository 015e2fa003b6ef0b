// The landing settings of package.json "ducksteps": "inputs", "archive" and "duplicates", checked when the
// settings are read, so a layout that would load a file twice is refused before anything runs.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../errors.js';
import { archiveFolder, baseOf, restOf } from './inputs.js';

const INPUT_NAME = /^[a-z][a-z0-9_]*$/;

/** An input's glob: the plain string, or the object form's "path". */
function globOf(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const unknown = Object.keys(value).filter((k) => k !== 'path' && k !== 'freshness');
  if (unknown.length > 0)
    throw new ConfigError(`${key} has an unknown key "${unknown[0]}"`, {
      file: 'package.json',
      hint: 'an input is a glob, or { "path": GLOB, "freshness": { "warnAfter": "26h", "errorAfter": "50h" } } (docs/observability.md)',
    });
  return (value as { path?: unknown }).path;
}

/** "inputs": { "orders": "data/landing/orders/*.csv" } (or { "path": …, "freshness": … }): names usable in
 * templates, globs that match files. */
export function inputsSetting(value: unknown): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [name, raw] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    const key = `"ducksteps"."inputs"."${name}"`;
    if (!INPUT_NAME.test(name))
      throw new ConfigError(`input name ${key} is not valid`, {
        file: 'package.json',
        hint: 'use lower-case letters, digits and _, starting with a letter: templates use it as batch.files.NAME',
      });
    const glob = globOf(raw, key);
    if (typeof glob !== 'string' || glob.trim() === '')
      throw new ConfigError(`${key} must be a glob like "data/landing/${name}/*.csv"`, { file: 'package.json' });
    if (glob.endsWith('/') || glob.endsWith('\\'))
      throw new ConfigError(`${key} is a folder ("${glob}"); it must match files`, {
        file: 'package.json',
        hint: `e.g. "${glob}*.csv"`,
      });
    const same = Object.entries(inputs).find(([, other]) => other === glob.split('\\').join('/'));
    if (same)
      throw new ConfigError(
        `inputs ${same[0]} and ${name} have the same glob ${glob}: every file would be loaded twice`,
        { file: 'package.json', hint: 'a file belongs to one input: give each input its own folder or pattern' },
      );
    inputs[name] = glob.split('\\').join('/');
  }
  return inputs;
}

export type DuplicatePolicy = 'skip' | 'refuse';

/** "duplicates": what a new file whose content is already loaded under another name does. */
export function duplicatesSetting(value: unknown): DuplicatePolicy {
  if (value === undefined || value === 'skip' || value === 'refuse') return value ?? 'skip';
  throw new ConfigError(`"ducksteps"."duplicates" must be "skip" or "refuse", got ${JSON.stringify(value)}`, {
    file: 'package.json',
    hint: 'skip (the default): a file with the content of a loaded one is recorded, not loaded again; refuse: the run stops naming it (docs/batches.md)',
  });
}

/** Path segments of `folder` below `base`, or undefined when it is not inside it. */
function depthBelow(base: string, folder: string): number | undefined {
  const rel = relative(base, folder);
  if (rel === '') return 0;
  if (rel.split(sep)[0] === '..' || isAbsolute(rel)) return undefined;
  return rel.split(sep).length;
}

const deep = (rest: string) => rest.includes('**') || /\{[^}]*\/[^}]*\}/.test(rest);
const segments = (rest: string) => rest.split('/').length;

/** Whether input `glob` can match a file archived for `input` (its archive folder at `folder`). */
function reaches(root: string, glob: string, folder: string, ownRest: string): boolean {
  const depth = depthBelow(resolve(root, baseOf(glob)), resolve(root, folder));
  if (depth === undefined) return false;
  const rest = restOf(glob);
  if (deep(rest)) return true;
  return deep(ownRest) ? depth + segments(ownRest) - 1 <= segments(rest) : depth + segments(ownRest) === segments(rest);
}

/** Refuses an archive folder an input's glob reaches (each run would find archived files as new ones),
 * and a landing folder inside an archive folder. */
export function checkArchive(
  root: string,
  inputs: Readonly<Record<string, string>>,
  archive: string | undefined,
): void {
  if (!archive) return;
  for (const [input, own] of Object.entries(inputs)) {
    const folder = archiveFolder(archive, input);
    for (const [name, glob] of Object.entries(inputs)) {
      const landingInArchive = depthBelow(resolve(root, folder), resolve(root, baseOf(glob))) !== undefined;
      if (!landingInArchive && !reaches(root, glob, folder, restOf(own))) continue;
      const what = landingInArchive
        ? `the landing folder of input ${name} (${glob}) is inside the archive folder ${folder}`
        : `the archive folder ${folder} is inside the landing folder of input ${name} (${glob})`;
      throw new ConfigError(`${what}: archived files would be found again as new landing files`, {
        file: 'package.json',
        hint: `choose an "archive" folder outside ${baseOf(glob)} (e.g. "data/archive"), or a glob that cannot reach it`,
      });
    }
  }
}
