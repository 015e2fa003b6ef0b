// Doctor's checks of what runs ducksteps: Node, the installed ducksteps against what package.json pins, and a
// project still holding the framework itself (made by 0.1.0).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { legacyChanges } from '../init/legacy.js';
import { packageRoot, packageVersion, pinnedVersion } from '../init/package.js';
import { error, ok, warning, type Check } from './check.js';

export function nodeCheck(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? ok('node', `${process.version}`)
    : error(
        'node',
        `${process.version} is too old`,
        'install Node.js 20 or newer (https://nodejs.org), then ./install.sh',
      );
}

/** The running ducksteps against the version the project's package.json pins. */
export function ducksteps(root: string): Check {
  const running = `${packageVersion()} (${packageRoot()})`;
  let spec: unknown;
  try {
    spec = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, unknown> })
      .dependencies?.ducksteps;
  } catch {
    return ok('ducksteps', running); // no package.json (or a broken one: the settings check says so)
  }
  const pinned = pinnedVersion(spec);
  if (spec === undefined) return ok('ducksteps', running);
  if (!pinned)
    return warning(
      'ducksteps',
      `${running}; package.json asks for "${String(spec)}"`,
      'pin one version ("ducksteps": "X.Y.Z") so every machine runs the same',
    );
  return pinned === packageVersion()
    ? ok('ducksteps', `${running}, the version package.json pins`)
    : error(
        'ducksteps',
        `package.json pins ${pinned}, and ${packageVersion()} is running`,
        './install.sh installs the pinned version',
      );
}

/** A project made by 0.1.0 (run.ts importing ./lib/…): each thing to change. */
export function layout(root: string): Check | undefined {
  const changes = legacyChanges(root);
  if (changes.length === 0) return undefined;
  return error(
    'layout',
    'this project holds the framework itself, as 0.1.0 projects did',
    `${changes.join('; ')} (docs/upgrading.md)`,
  );
}
