// The running ducksteps as a tarball in a new project's vendor/ folder: `npm pack` of the package's own folder
// (a checkout's packages/ducksteps after the build, or an installed copy), so the project installs the very
// version that made it, without the npm registry.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { packageRoot } from './package.js';

/** Runs npm (npm.cmd on Windows) and returns its stdout; a failure is a ConfigError with npm's last words. */
export function npm(args: readonly string[], cwd: string): string {
  const windows = process.platform === 'win32';
  const run = spawnSync(windows ? 'npm.cmd' : 'npm', args, { cwd, encoding: 'utf8', shell: windows });
  if (run.status === 0) return run.stdout;
  const said = `${run.stderr ?? ''}${run.error?.message ?? ''}`.trim().split('\n').slice(-3).join(' / ');
  throw new ConfigError(`npm ${args[0]} failed${said ? `: ${said}` : ''}`, {
    hint: run.error ? 'ducksteps init needs npm (it comes with Node.js) on the PATH' : "see npm's message above",
  });
}

/** Packs the running package into `<project>/vendor/`; returns the tarball's path relative to the project. */
export function vendorPackage(project: string): string {
  const folder = join(project, 'vendor');
  mkdirSync(folder, { recursive: true });
  const out = npm(['pack', packageRoot(), '--ignore-scripts', '--json', '--pack-destination', folder], project);
  const [packed] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string }>;
  return `vendor/${packed.filename}`;
}
