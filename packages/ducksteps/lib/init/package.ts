// The ducksteps package itself: where it is installed and which version it is (for --version, doctor, init).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's folder: the one holding its package.json, bin/ and dist/ (or lib/ when run from sources). */
export const packageRoot = (): string => join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
}

let cached: PackageJson | undefined;

/** The package's own package.json. */
export function packageJson(): PackageJson {
  cached ??= JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as PackageJson;
  return cached;
}

/** "0.2.0": the version of ducksteps that is running. */
export const packageVersion = (): string => packageJson().version;

/** The DuckDB binding the package depends on: its name and pinned version (read from package.json: DuckDB
 * itself is not loaded). */
export function duckdbBinding(): { name: string; version: string } {
  const [name, version] = Object.entries(packageJson().dependencies).find(([n]) => n.startsWith('@duckdb/')) ?? [
    '?',
    '?',
  ];
  return { name, version };
}

/** The DuckDB version the binding carries: "1.5.5" for the binding's 1.5.5-r.5. */
export const duckdbVersion = (): string => duckdbBinding().version.replace(/-r\..*$/, '');

/** The version a project's package.json pins ducksteps to: "0.2.0", or the version in a vendored tarball's name
 * (`file:vendor/ducksteps-0.2.0.tgz`); undefined for a range, a path or no dependency. */
export function pinnedVersion(spec: unknown): string | undefined {
  if (typeof spec !== 'string') return undefined;
  const exact = spec.match(/^=?(\d+\.\d+\.\d+(?:-[\w.]+)?)$/)?.[1];
  return exact ?? spec.match(/^file:(?:.*\/)?ducksteps-(\d+\.\d+\.\d+(?:-[\w.]+)?)\.tgz$/)?.[1];
}
