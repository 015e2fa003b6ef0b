// Doctor's checks of what runs ducksteps: Node, and the running ducksteps against what package.json pins (a
// project made by 0.1.0 is stopped by the bin before any command, saying what to change).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, packageVersion, pinnedVersion } from '../init/package.js';
import { error, ok, warning, type Check } from './check.js';

/** Node.js 20 or newer (what ducksteps is built and tested for). */
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
