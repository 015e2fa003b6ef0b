// The "small" case (the jaffle shop built from nothing by each tool) and the start-up case (each tool's
// cheapest command on that project).
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { checksums } from './checksum.js';
import { dbtJaffle, duckstepsJaffle, JAFFLE_TABLES, sqlmeshJaffle } from './jaffle.js';
import type { Case } from './rounds.js';
import { dbtCmd, duckstepsCmd, primeCmd, REPO, removeDb, sqlmeshCmd } from './tools.js';
import type { Venv } from './venv.js';

export function smallProjects(root: string, threads: number) {
  const dirs = { ducksteps: join(root, 'ducksteps'), dbt: join(root, 'dbt'), sqlmesh: join(root, 'sqlmesh') };
  rmSync(root, { recursive: true, force: true });
  duckstepsJaffle(dirs.ducksteps);
  symlinkSync(join(REPO, 'node_modules'), join(dirs.ducksteps, 'node_modules'));
  dbtJaffle(dirs.dbt, threads);
  sqlmeshJaffle(dirs.sqlmesh, threads);
  mkdirSync(join(dirs.ducksteps, 'data'), { recursive: true });
  return dirs;
}

const tables = (prefix: string) => Object.fromEntries(JAFFLE_TABLES.map((t) => [t, `${prefix}.${t}`]));

/** Every run builds from nothing: the database file is deleted before it (untimed); the tools' caches
 * stay (dbt's partial parse file, SQLMesh's .cache, ducksteps' logs), as in a developer's repeated builds. */
export function smallCase(venv: Venv, dirs: ReturnType<typeof smallProjects>): Case {
  const c: Case = {
    id: 'small',
    label: 'jaffle shop from nothing: 3 seeds, 5 models, 20 tests',
    goals: { dbt: 0.3, sqlmesh: 0.3 },
    sides: [
      {
        tool: 'ducksteps',
        command: duckstepsCmd(dirs.ducksteps),
        prepare: () => removeDb(join(dirs.ducksteps, 'data', 'warehouse.duckdb')),
        tables: () => checksums(join(dirs.ducksteps, 'data', 'warehouse.duckdb'), tables('main')),
      },
      {
        tool: 'dbt',
        command: dbtCmd(venv, dirs.dbt, ['build']),
        prepare: () => removeDb(join(dirs.dbt, 'jaffle_shop.duckdb')),
        tables: () => checksums(join(dirs.dbt, 'jaffle_shop.duckdb'), tables('main')),
      },
      {
        tool: 'sqlmesh',
        command: sqlmeshCmd(venv, dirs.sqlmesh, ['plan', '--auto-apply', '--no-prompts']),
        prepare: () => removeDb(join(dirs.sqlmesh, 'db.duckdb')),
        tables: () => checksums(join(dirs.sqlmesh, 'db.duckdb'), tables('jaffle')),
      },
    ],
  };
  return { ...c, sides: c.sides.map((s) => ({ ...s, prime: primeCmd(venv, s.tool, s.command.cwd) })) };
}

/** Start-up: `list`, `dbt ls`, `sqlmesh info` on the small project as the last build left it. */
export function startupCase(venv: Venv, dirs: ReturnType<typeof smallProjects>): Case {
  return {
    id: 'startup',
    label: 'cheapest command on the small project',
    goals: {},
    sides: [
      { tool: 'ducksteps', command: duckstepsCmd(dirs.ducksteps, ['list']) },
      { tool: 'dbt', command: dbtCmd(venv, dirs.dbt, ['ls']) },
      { tool: 'sqlmesh', command: sqlmeshCmd(venv, dirs.sqlmesh, ['info']) },
    ],
  };
}
