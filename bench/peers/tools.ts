// How each tool is invoked, as a user would: ducksteps' CLI, dbt and SQLMesh from the peers' venv, and the
// bare-DuckDB floor (bench/floor.mjs: one node + @duckdb/node-api process, no framework).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from './measure.js';
import type { Venv } from './venv.js';

export const REPO = join(import.meta.dirname, '..', '..');

/** `node dist/run.js ARGS` in the project (what ./run.sh runs, less its 5–10 ms staleness check). */
export const duckstepsCmd = (cwd: string, args: string[] = []): Command => ({
  cwd,
  argv: [process.execPath, join(REPO, 'packages', 'ducksteps', 'bin', 'ducksteps.js'), ...args],
  env: { NO_COLOR: '1' },
});

/** dbt with the project's own profiles.yml; anonymous usage statistics off (no network here: its
 * tracker's requests would only fail), no colour. Partial parsing stays on (dbt's default). */
export const dbtCmd = (venv: Venv, cwd: string, args: string[]): Command => ({
  cwd,
  argv: [venv.bin('dbt'), ...args, '--profiles-dir', '.'],
  env: { DBT_SEND_ANONYMOUS_USAGE_STATS: 'false', DBT_USE_COLORS: 'false' },
});

export const sqlmeshCmd = (venv: Venv, cwd: string, args: string[]): Command => ({
  cwd,
  argv: [venv.bin('sqlmesh'), ...args],
  env: { NO_COLOR: '1' },
});

export const floorCmd = (cwd: string, args: string[]): Command => ({
  cwd,
  argv: [process.execPath, join(REPO, 'bench', 'floor.mjs'), ...args],
});

/** Deletes a DuckDB file and its WAL. */
export const removeDb = (file: string) => {
  for (const suffix of ['', '.wal']) rmSync(`${file}${suffix}`, { force: true });
};

/** The cheapest command that loads the project (see Side.prime). */
export const primeCmd = (venv: Venv, tool: string, cwd: string): Command | undefined =>
  tool === 'dbt'
    ? dbtCmd(venv, cwd, ['parse'])
    : tool === 'sqlmesh'
      ? sqlmeshCmd(venv, cwd, ['info'])
      : tool === 'ducksteps'
        ? duckstepsCmd(cwd, ['list'])
        : undefined;
