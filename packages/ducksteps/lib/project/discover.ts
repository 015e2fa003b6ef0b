// Stage 1: find the numbered step folders, their SQL files and scripts, and the assertion files.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { VARIANT } from '../engines/traits.js';
import { DiscoveryError } from '../errors.js';
import { STEP_PATTERN, type Dialect, type Project, type Step } from '../model.js';
import { hasFlag, readDirectives } from '../sql/directives.js';
import { contractsOf, policyOf } from './schema-settings.js';
import { loneVariants } from './variants.js';

const toPosix = (p: string) => p.split(sep).join('/');

function listDir(root: string, dir: string): string[] {
  try {
    return readdirSync(join(root, dir)).sort();
  } catch (cause) {
    throw new DiscoveryError(`cannot read folder ${dir}`, {
      file: dir,
      cause,
      hint: 'check that it exists and is readable',
    });
  }
}

/** A file's text for discovery's checks; an unreadable file is a DiscoveryError naming it. */
function readable(root: string, file: string): string {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch (cause) {
    throw new DiscoveryError(`cannot read the file (${(cause as NodeJS.ErrnoException).code ?? 'unreadable'})`, {
      file,
      cause,
      hint: 'check that the file is readable (chmod a+r)',
    });
  }
}

const MAX_NAME = 64;

/** A step's files for a dialect: `name.<dialect>.sql` wins over `name.sql` on that engine (`name.duckdb.sql`
 * on DuckDB); a variant for another dialect only is left out. In the order of their base names. */
export function filesFor(names: readonly string[], dialect: Dialect): string[] {
  const bases = new Map<string, string>();
  for (const name of names) {
    const variant = name.match(VARIANT);
    const base = variant ? `${variant[1]}.sql` : name;
    if (variant && variant[2] !== dialect) continue;
    if (variant || !bases.has(base)) bases.set(base, name);
  }
  return [...bases].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, name]) => name);
}

/** The step as DuckDB runs it: on a cluster engine's project its DuckDB files (name.sql, not name.<engine>.sql),
 * which is what a unit test runs (unit tests run on an in-memory DuckDB). */
export function duckdbStep(root: string, step: Step, engine: Dialect | undefined): Step {
  if (engine === undefined || engine === 'duckdb') return step;
  const names = readdirSync(join(root, step.dir)).filter((f) => f.endsWith('.sql'));
  return { ...step, files: filesFor(names, 'duckdb').map((f) => `${step.dir}/${f}`) };
}

function readStep(root: string, folder: string, match: RegExpMatchArray, dialect: Dialect): Step {
  const dir = `sql/${folder}`;
  if (folder.length > MAX_NAME) {
    throw new DiscoveryError(`step folder name is ${folder.length} characters long (at most ${MAX_NAME})`, {
      file: dir,
      hint: 'shorten it: the name is also a log file name',
    });
  }
  const entries = listDir(root, dir);
  const odd = entries.find((f) => /\.sql$/i.test(f) && !f.endsWith('.sql'));
  if (odd)
    throw new DiscoveryError(`"${odd}" has an upper-case extension and would not run`, {
      file: `${dir}/${odd}`,
      hint: `rename it to ${odd.replace(/\.sql$/i, '.sql')}`,
    });
  const nested = entries.find((f) => !f.endsWith('.sql') && statSync(join(root, dir, f)).isDirectory());
  if (nested)
    throw new DiscoveryError('a folder inside a step folder is not run', {
      file: `${dir}/${nested}`,
      hint: 'a step is one flat folder of .sql files: move them up, or into a step of their own; shared SQL goes in sql/macros/',
    });
  const all = entries.filter((f) => f.endsWith('.sql'));
  const files = filesFor(all, dialect).map((f) => `${dir}/${f}`);
  if (all.length === 0) {
    throw new DiscoveryError('step folder has no .sql files', {
      file: dir,
      hint: 'add a .sql file to it, or remove the folder',
    });
  }
  let incremental = false;
  let local = false;
  let noTransaction: string | undefined;
  let onSchemaChange: Step['onSchemaChange'];
  if (files.length === 0)
    throw new DiscoveryError(`step folder has no .sql file for the ${dialect} engine (only variants for another)`, {
      file: dir,
      hint: `add a ${dialect === 'duckdb' ? 'name.sql' : `name.sql or name.${dialect}.sql`} file`,
    });
  for (const file of files) {
    const text = statSync(join(root, file)).size === 0 ? '' : readable(root, file);
    if (text.trim() === '') {
      throw new DiscoveryError('SQL file is empty', {
        file,
        hint: 'add SQL (or a comment saying why the file is there), or delete it',
      });
    }
    const directives = readDirectives(text);
    incremental ||= hasFlag(directives, 'incremental'); // by convention in the first file, at the top
    local ||= hasFlag(directives, 'local');
    if (hasFlag(directives, 'no-transaction')) noTransaction = file;
    onSchemaChange ??= policyOf(directives, file);
  }
  if (incremental && noTransaction) {
    throw new DiscoveryError(
      'an incremental step cannot have a no-transaction file: its data and its record of the batch must commit together',
      {
        file: noTransaction,
        hint: 'move that file to a step of its own, or drop -- ducksteps: no-transaction',
      },
    );
  }
  const script = existsSync(join(root, 'steps', `${folder}.ts`)) ? `steps/${folder}.ts` : undefined;
  const contracts = contractsOf(root, dir);
  if (incremental && local)
    throw new DiscoveryError('an incremental step cannot be local: its batches are recorded in the warehouse', {
      file: dir,
      hint: 'drop -- ducksteps: local, or -- ducksteps: incremental',
    });
  return {
    number: Number(match[1]),
    id: folder,
    name: match[2],
    dir,
    files: local ? filesFor(all, 'duckdb').map((f) => `${dir}/${f}`) : files,
    script,
    incremental,
    local,
    ...(onSchemaChange ? { onSchemaChange } : {}),
    ...(contracts.length ? { contracts } : {}),
  };
}

function findSteps(root: string, dialect: Dialect): Step[] {
  const steps: Step[] = [];
  for (const entry of listDir(root, 'sql')) {
    if (!statSync(join(root, 'sql', entry)).isDirectory()) continue;
    const match = entry.match(STEP_PATTERN);
    if (!match) {
      if (/^\d/.test(entry)) {
        throw new DiscoveryError(`step folder name "${entry}" does not match NN_name`, {
          file: `sql/${entry}`,
          hint: 'use 2-3 digits, an underscore, then lower-case letters, digits or _ (e.g. 04_enrich)',
        });
      }
      continue; // macros/ and other shared folders are not steps
    }
    steps.push(readStep(root, entry, match, dialect));
  }
  steps.sort((a, b) => a.number - b.number || a.id.localeCompare(b.id));
  for (let i = 1; i < steps.length; i++) {
    if (steps[i].number === steps[i - 1].number) {
      throw new DiscoveryError(`duplicate step number ${steps[i].number}: ${steps[i - 1].dir} and ${steps[i].dir}`, {
        file: steps[i].dir,
        hint: 'renumber one of them so every step has its own number',
      });
    }
  }
  return steps;
}

function checkScripts(root: string, steps: readonly Step[]): void {
  if (!existsSync(join(root, 'steps'))) return;
  const ids = new Set(steps.map((s) => s.id));
  for (const entry of listDir(root, 'steps')) {
    if (!entry.endsWith('.ts') || entry.endsWith('.d.ts')) continue;
    const id = entry.slice(0, -3);
    if (ids.has(id)) continue;
    const sameNumber = steps.find((s) => id.startsWith(`${String(s.number).padStart(2, '0')}_`));
    throw new DiscoveryError(`script has no SQL folder sql/${id}/`, {
      file: `steps/${entry}`,
      hint: sameNumber
        ? `did you mean steps/${sameNumber.id}.ts?`
        : `create sql/${id}/ with at least one .sql file, or rename the script`,
    });
  }
}

function findTests(root: string, dir = 'tests'): string[] {
  if (!existsSync(join(root, dir))) return [];
  const found: string[] = [];
  for (const entry of listDir(root, dir)) {
    const rel = `${dir}/${entry}`;
    if (rel === 'tests/framework' || rel === 'tests/unit') continue; // the framework's suite; unit tests (tests/unit/*.yaml)
    if (statSync(join(root, rel)).isDirectory()) found.push(...findTests(root, rel));
    else if (entry.endsWith('.sql')) found.push(rel);
  }
  return found;
}

/** Reads the project layout once; everything later works from this plain description. `dialect`: which
 * engine's variant of a file a step runs (docs/scale.md). */
export function discover(root: string, dialect: Dialect = 'duckdb'): Project {
  if (!existsSync(join(root, 'sql'))) {
    throw new DiscoveryError('no sql/ folder in this project', {
      file: toPosix(relative(process.cwd(), root)) || '.',
      hint: 'run ducksteps from the project folder, or create sql/01_first/ with a .sql file',
    });
  }
  const steps = findSteps(root, dialect);
  checkScripts(root, steps);
  const warnings = steps.flatMap((s) =>
    loneVariants(
      s.dir,
      listDir(root, s.dir).filter((f) => f.endsWith('.sql')),
    ),
  );
  return { root, steps, testFiles: findTests(root), warnings };
}
