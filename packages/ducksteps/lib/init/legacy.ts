// A project made by ducksteps 0.1.0 held the framework itself: its own lib/, a run.ts importing ./lib/…, and
// package.json "name": "ducksteps". From 0.2.0 the framework is a package the project depends on; such a
// project cannot run on it until a few things change, each named here (docs/upgrading.md).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const OLD_IMPORT = /from\s+['"](\.\/lib\/[^'"]+)['"]/;

/** What to change in a project folder for it to run on this version; [] when nothing. */
export function legacyChanges(root: string): string[] {
  let json: { name?: unknown; bin?: unknown } = {};
  try {
    json = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as typeof json;
  } catch {
    // no package.json, or one that does not parse: said elsewhere
  }
  if (json.bin !== undefined) return []; // the ducksteps package's own folder
  const changes: string[] = [];
  const runTs = join(root, 'run.ts');
  const entry = existsSync(runTs) ? readFileSync(runTs, 'utf8') : '';
  const old = entry.match(OLD_IMPORT)?.[1];
  if (old && !/from\s+['"]ducksteps['"]/.test(entry))
    changes.push(
      `run.ts imports the framework from ${old}: replace run.ts with the two lines "import { main } from 'ducksteps';" and "await main(process.argv.slice(2));"`,
    );
  if (existsSync(join(root, 'lib', 'cli', 'commands.ts')))
    changes.push("lib/ holds the framework's own sources (0.1.0): delete it; ducksteps now comes from node_modules");
  if (json.name === 'ducksteps' && changes.length > 0)
    changes.push(
      'package.json "name" is "ducksteps": give the project a name of its own (npm refuses to install ducksteps into a package named ducksteps, and a shared lake keys its run lock by this name)',
    );
  if (changes.length > 0)
    changes.push(
      'package.json: add "ducksteps": "<version>" to "dependencies", and take run.sh, run.bat, install.sh and install.bat from a new project (ducksteps init)',
    );
  return changes;
}

/** The one message for such a project: what it is, each change, where it is explained. */
export const legacyMessage = (changes: readonly string[]): string =>
  `this project holds the ducksteps framework itself, as projects made by ducksteps 0.1.0 did; from 0.2.0 ducksteps is a package the project depends on. To run on it, change:\n${changes.map((c) => `  - ${c}`).join('\n')}\n  (docs/upgrading.md, "0.1.0 to 0.2.0"; your sql/, steps/, tests/ and publish/ stay as they are)`;
