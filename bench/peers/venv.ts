// The peers' own Python virtual environment in .cache/peers/venv: dbt-core, dbt-duckdb, SQLMesh and the
// Python duckdb pinned to our DuckDB's version, installed once (a marker file records what was installed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PINS = {
  'dbt-core': '1.12.6',
  'dbt-duckdb': '1.11.1',
  sqlmesh: '0.236.4',
  duckdb: '1.5.5',
  'duckdb-extension-tpch': '1.5.5',
} as const;

export interface Venv {
  readonly dir: string;
  readonly bin: (name: string) => string;
  readonly versions: Record<string, string>;
  readonly tpchExtension: string;
}

const sh = (cmd: string, args: string[], cwd?: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** dbt-core 1.12's dependency dbt-core-experimental-parser (>= 2.0) is on PyPI only as an sdist whose build
 * downloads a binary from outside PyPI, which fails here. dbt-core runs that binary only with
 * --use-v2-parser, so dbt-core and dbt-duckdb (which requires dbt-core) are installed without their
 * dependencies, after every other requirement of dbt-core's own metadata. */
function install(dir: string, cache: string): void {
  sh('python3', ['-m', 'venv', dir]);
  const pip = join(dir, 'bin', 'pip');
  sh(pip, ['install', '-q', '--upgrade', 'pip']);
  const dl = join(cache, 'download');
  mkdirSync(dl, { recursive: true });
  sh(pip, [
    'download',
    '-q',
    '--no-deps',
    '-d',
    dl,
    `dbt-core==${PINS['dbt-core']}`,
    `duckdb-extension-tpch==${PINS['duckdb-extension-tpch']}`,
  ]);
  const py = join(dir, 'bin', 'python');
  const requires = sh(py, [
    '-c',
    `import zipfile,glob,sys
w = zipfile.ZipFile(glob.glob(sys.argv[1] + '/dbt_core-*.whl')[0])
meta = [n for n in w.namelist() if n.endswith('.dist-info/METADATA')][0]
for l in w.read(meta).decode().splitlines():
    if l.startswith('Requires-Dist: ') and 'extra ==' not in l and 'experimental-parser' not in l: print(l[15:])`,
    dl,
  ])
    .trim()
    .split('\n');
  sh(pip, [
    'install',
    '-q',
    `sqlmesh==${PINS.sqlmesh}`,
    `duckdb==${PINS.duckdb}`,
    'dbt-common>=1,<2',
    'dbt-adapters>=1,<2',
    ...requires,
  ]);
  sh(pip, ['install', '-q', '--no-deps', `dbt-core==${PINS['dbt-core']}`, `dbt-duckdb==${PINS['dbt-duckdb']}`]);
  sh(py, [
    '-c',
    'import zipfile,glob,sys; zipfile.ZipFile(glob.glob(sys.argv[1] + "/duckdb_extension_tpch-*.whl")[0]).extractall(sys.argv[2])',
    dl,
    join(cache, 'ext'),
  ]);
}

/** Creates the venv when it is missing or was made for other pins; returns its paths and installed versions. */
export function ensureVenv(repo: string, log: (s: string) => void): Venv {
  const cache = join(repo, '.cache', 'peers');
  const dir = join(cache, 'venv');
  const marker = join(cache, 'venv.json');
  const wanted = JSON.stringify(PINS);
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== wanted) {
    log(`installing the peers into ${dir} (pip, a few minutes) …`);
    mkdirSync(cache, { recursive: true });
    install(dir, cache);
    writeFileSync(marker, wanted);
  }
  const bin = (name: string) => join(dir, 'bin', name);
  const versions = JSON.parse(
    sh(bin('python'), [
      '-c',
      `import json
from importlib.metadata import version
print(json.dumps({p: version(p) for p in ['dbt-core', 'dbt-duckdb', 'sqlmesh', 'duckdb', 'sqlglot']}))`,
    ]),
  );
  const tpchExtension = join(
    cache,
    'ext',
    'duckdb_extension_tpch',
    'extensions',
    `v${PINS.duckdb}`,
    'tpch.duckdb_extension',
  );
  return { dir, bin, versions, tpchExtension };
}
