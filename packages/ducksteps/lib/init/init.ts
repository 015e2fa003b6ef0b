// `init DIR`: a new project folder with the card's top level (sql/, steps/, tests/, publish/, docs/, logs/,
// run.ts, run.sh, run.bat, install.sh, install.bat, package.json, README.md, .gitignore), a starter (two steps,
// an assertion, a unit test, a publish target; the shop example; or none), and the running ducksteps vendored.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { copyExample, exampleSource } from './example.js';
import { packageRoot, packageVersion } from './package.js';
import { copyTree } from './templates.js';
import { vendorPackage } from './vendor.js';

export type Starter = 'starter' | 'example' | 'empty';

/** What may be in a folder a project is made in: nothing, or only a fresh git repository. */
const ALLOWED = new Set(['.git']);

/** Refuses a folder that holds anything (exit 2), naming what is there. */
function checkEmpty(dir: string, shown: string): void {
  if (!existsSync(dir)) return;
  const there = readdirSync(dir).filter((entry) => !ALLOWED.has(entry));
  if (there.length === 0) return;
  const named = there.slice(0, 5).join(', ') + (there.length > 5 ? ` and ${there.length - 5} more` : '');
  throw new UsageError(`${shown} is not empty: it holds ${named}`, {
    hint: 'init makes a project in a new or empty folder: choose another one (ducksteps init NEW_FOLDER)',
  });
}

/** The project's name in package.json: the folder's name as npm allows it, and a random suffix, so two
 * projects made with the same folder name are still two pipelines (a shared lake keys its run lock by it). */
export function projectName(dir: string): string {
  const slug =
    basename(resolve(dir))
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+|[-_.]+$/g, '')
      .slice(0, 40) || 'pipeline';
  return `${slug}-${randomBytes(3).toString('hex')}`;
}

function packageJsonText(name: string, tarball: string, settings: Readonly<Record<string, unknown>>): string {
  const json = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    description: 'A ducksteps project: numbered SQL steps on DuckDB (README.md)',
    engines: { node: '>=20' },
    dependencies: { ducksteps: `file:${tarball}` },
    ducksteps: settings,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

export interface Made {
  readonly dir: string;
  readonly name: string;
  readonly tarball: string;
  readonly files: readonly string[];
}

/** Makes the project; throws UsageError for a folder that is not empty or an example this copy lacks. */
export function initProject(target: string, starter: Starter): Made {
  const dir = resolve(target);
  checkEmpty(dir, target);
  const example = starter === 'example' ? exampleSource() : undefined;
  if (starter === 'example' && !example)
    throw new UsageError('this copy of ducksteps carries no example (it was packed without its prepack script)', {
      hint: 'use init without --example, or a ducksteps made by npm pack in a checkout',
    });
  mkdirSync(dir, { recursive: true });
  const name = projectName(dir);
  const values = { NAME: name, VERSION: packageVersion() };
  const files = copyTree(join(packageRoot(), 'templates', 'project'), dir, values);
  if (example) files.push(...copyExample(example, dir));
  else if (starter === 'starter') files.push(...copyTree(join(packageRoot(), 'templates', 'starter'), dir));
  for (const folder of ['sql', 'steps', 'tests', 'publish', 'docs', 'logs']) {
    mkdirSync(join(dir, folder), { recursive: true });
    // git keeps no empty folder, and a project without sql/ is not recognised as one
    if (folder !== 'logs' && readdirSync(join(dir, folder)).length === 0)
      writeFileSync(join(dir, folder, '.gitkeep'), '');
  }
  const tarball = vendorPackage(dir);
  const settings = example?.settings ?? { database: 'data/warehouse.duckdb' };
  writeFileSync(join(dir, 'package.json'), packageJsonText(name, tarball, settings));
  return { dir, name, tarball, files: [...files, 'package.json', tarball] };
}
