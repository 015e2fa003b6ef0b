// Where the tests find DuckDB extension files (ducklake, postgres_scanner, tpch, …): DuckDB cannot download
// them on machines without access to extensions.duckdb.org, so .ci/provision-extensions.sh lays PyPI's
// duckdb-extension-* wheels out as a DuckDB extension_directory under .cache/. Tests call
// ensureExtensions() once; it runs the script when a file is missing and says what to do when it fails.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const PROVISION_SCRIPT = join(REPO, '.ci', 'provision-extensions.sh');
/** DuckDB's version of the pinned @duckdb/node-api (1.5.5-r.5), the folder name DuckDB looks under. */
export const DUCKDB_VERSION = 'v1.5.5';

const PLATFORMS: Record<string, string> = {
  'linux-x64': 'linux_amd64',
  'linux-arm64': 'linux_arm64',
  'darwin-arm64': 'osx_arm64',
  'darwin-x64': 'osx_amd64',
  'win32-x64': 'windows_amd64',
};

/** DuckDB's name for this platform (what `PRAGMA platform` answers). */
export const duckdbPlatform = (): string =>
  PLATFORMS[`${process.platform}-${process.arch}`] ?? `${process.platform}_${process.arch}`;

/** The folder to give DuckDB as `extension_directory` (DUCKSTEPS_CACHE overrides <repo>/.cache, as in the script). */
export const extensionDir = (): string =>
  join(process.env.DUCKSTEPS_CACHE ?? join(REPO, '.cache'), 'duckdb-extensions');

/** The path of one extension file inside extensionDir(): <dir>/v1.5.5/<platform>/<name>.duckdb_extension. */
export const extensionFile = (name: string): string =>
  join(extensionDir(), DUCKDB_VERSION, duckdbPlatform(), `${name}.duckdb_extension`);

/** Makes sure the named extension files exist, running the provisioning script when one is missing.
 * Returns extensionDir(); throws a message that says which command to run when provisioning fails. */
export function ensureExtensions(names: readonly string[] = ['ducklake', 'postgres_scanner']): string {
  const missing = names.filter((name) => !existsSync(extensionFile(name)));
  if (missing.length === 0) return extensionDir();
  try {
    execFileSync('bash', [PROVISION_SCRIPT, ...missing], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
    throw new Error(
      `DuckDB extension files missing (${missing.join(', ')}) and provisioning them failed:\n${stderr}\n` +
        `Run .ci/provision-extensions.sh (needs python3 -m pip reaching PyPI), or put the files in ${join(extensionDir(), DUCKDB_VERSION, duckdbPlatform())}/`,
    );
  }
  const still = names.filter((name) => !existsSync(extensionFile(name)));
  if (still.length > 0)
    throw new Error(`.ci/provision-extensions.sh ran but ${still.map(extensionFile).join(', ')} is still missing`);
  return extensionDir();
}
