// The "tpch" case: the 22 TPC-H queries as 22 tables over Parquet files (CALL dbgen(sf) once, cached in
// .cache/peers/tpch/sfN), with one row-count assertion per query, on ducksteps, dbt, SQLMesh, and bare
// DuckDB as the floor. The query texts come from the tpch extension (tpch_queries()).
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksums } from './checksum.js';
import { sqlmeshConfig, write } from './jaffle.js';
import type { Case } from './rounds.js';
import { dbtCmd, duckstepsCmd, floorCmd, primeCmd, REPO, removeDb, sqlmeshCmd } from './tools.js';
import type { Venv } from './venv.js';

const TABLES = ['customer', 'lineitem', 'nation', 'orders', 'part', 'partsupp', 'region', 'supplier'];
/** Queries whose row count does not depend on the scale factor from SF1 up (LIMIT or fixed groups). */
const FIXED = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 17, 19, 21, 22];
const nn = (n: number) => String(n).padStart(2, '0');

/** Generates (once) the Parquet files, the query texts and the official answers' row counts. */
export function tpchData(venv: Venv, sf: number, log: (s: string) => void): string {
  const dir = join(REPO, '.cache', 'peers', 'tpch', `sf${sf}`);
  log(`tpch: data for sf=${sf} in ${dir} (generated on first use: CALL dbgen, then COPY to Parquet) …`);
  execFileSync(venv.bin('python'), [join(import.meta.dirname, 'tpch_data.py'), venv.tpchExtension, dir, String(sf)], {
    stdio: 'inherit',
  });
  return dir;
}

/** Expected rows per query: the official answer's at this scale factor when the extension has it (0.01,
 * 0.1, 1), else SF1's for the queries whose count does not grow with the scale, else "at least one" (Q11: any). */
function expectedRows(sf: number): Record<number, [number, number | undefined]> {
  const answers = (s: number) =>
    JSON.parse(readFileSync(join(REPO, '.cache', 'peers', 'tpch', `sf${s}`, 'answers.json'), 'utf8')) as Record<
      string,
      number
    >;
  const here = answers(sf);
  const sf1 = Object.keys(here).length ? {} : sf > 1 ? safe(() => answers(1)) : {};
  return Object.fromEntries(
    Array.from({ length: 22 }, (_, i) => {
      const n = i + 1;
      const x = here[n] ?? (FIXED.includes(n) ? sf1[n] : undefined);
      // Q11's HAVING fraction in the extension's text is SF1's (0.0001; the spec scales it by 1/SF), so at
      // another scale factor it may return no row: no lower bound for it there
      return [n, x === undefined ? [n === 11 ? 0 : 1, undefined] : [x, x]];
    }),
  );
}
const safe = <T>(f: () => T): T | Record<string, never> => {
  try {
    return f();
  } catch {
    return {};
  }
};

export async function tpchCase(
  venv: Venv,
  root: string,
  sf: number,
  threads: number,
  log: (s: string) => void,
): Promise<Case> {
  if (sf > 1) tpchData(venv, 1, log); // SF1's answers give the fixed row counts
  const data = tpchData(venv, sf, log);
  const queries = JSON.parse(readFileSync(join(data, 'queries.json'), 'utf8')) as Record<string, string>;
  const sql = (n: number) => queries[n].trim().replace(/;\s*$/, '');
  const expected = expectedRows(sf);
  const source = (t: string) => `SELECT * FROM read_parquet('${join(data, `${t}.parquet`)}')`;
  const ids = Array.from({ length: 22 }, (_, i) => i + 1);
  rmSync(root, { recursive: true, force: true });
  const dirs = {
    ducksteps: join(root, 'ducksteps'),
    dbt: join(root, 'dbt'),
    sqlmesh: join(root, 'sqlmesh'),
    duckdb: join(root, 'duckdb'),
  };

  // ducksteps: 01_sources, then one step per query; one row-count assertion per query (gating its step)
  write(
    join(dirs.ducksteps, 'package.json'),
    JSON.stringify({ name: 'tpch', private: true, type: 'module', ducksteps: {} }, null, 2),
  );
  symlinkSync(join(REPO, 'node_modules'), join(dirs.ducksteps, 'node_modules'));
  write(
    join(dirs.ducksteps, 'sql', '01_sources', '01_views.sql'),
    TABLES.map((t) => `CREATE OR REPLACE VIEW ${t} AS ${source(t)};`).join('\n') + '\n',
  );
  for (const n of ids) {
    write(
      join(dirs.ducksteps, 'sql', `${nn(n + 1)}_q${nn(n)}`, '01_query.sql'),
      `CREATE OR REPLACE TABLE q${nn(n)} AS\n${sql(n)};\n`,
    );
    const [min, max] = expected[n];
    write(
      join(dirs.ducksteps, 'tests', `q${nn(n)}.sql`),
      `{{ row_count('q${nn(n)}', ${min}${max === undefined ? '' : `, ${max}`}) }}\n`,
    );
  }
  write(join(dirs.ducksteps, 'data', '.keep'), '');

  // dbt: 8 view models, 22 table models (the SQL unchanged, its dependencies as depends_on comments), 22 singular tests
  write(
    join(dirs.dbt, 'dbt_project.yml'),
    `name: tpch\nconfig-version: 2\nversion: '0.1'\nprofile: tpch\nmodel-paths: [models]\ntest-paths: [tests]\n\nmodels:\n  tpch:\n    +materialized: table\n    sources:\n      +materialized: view\n`,
  );
  write(
    join(dirs.dbt, 'profiles.yml'),
    `tpch:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: tpch.duckdb\n      threads: ${threads}\n`,
  );
  for (const t of TABLES) write(join(dirs.dbt, 'models', 'sources', `${t}.sql`), `${source(t)}\n`);
  for (const n of ids) {
    const deps = TABLES.filter((t) => new RegExp(`\\b${t}\\b`, 'i').test(sql(n))).map(
      (t) => `-- depends_on: {{ ref('${t}') }}`,
    );
    write(join(dirs.dbt, 'models', `q${nn(n)}.sql`), `${deps.join('\n')}\n${sql(n)}\n`);
    const [min, max] = expected[n];
    write(
      join(dirs.dbt, 'tests', `rows_q${nn(n)}.sql`),
      `select count(*) as row_count from {{ ref('q${nn(n)}') }}\nhaving count(*) < ${min}${max === undefined ? '' : ` or count(*) > ${max}`}\n`,
    );
  }

  // SQLMesh: 8 VIEW models, 22 FULL models with a row-count audit; table names qualified (tpch.lineitem)
  sqlmeshConfig(dirs.sqlmesh, threads, 'db.duckdb');
  writeFileSync(join(root, 'queries.json'), JSON.stringify(Object.fromEntries(ids.map((n) => [n, sql(n)]))));
  execFileSync(venv.bin('python'), [
    join(import.meta.dirname, 'qualify.py'),
    'tpch',
    join(root, 'queries.json'),
    join(root, 'qualified.json'),
  ]);
  const qualified = JSON.parse(readFileSync(join(root, 'qualified.json'), 'utf8')) as Record<string, string>;
  for (const t of TABLES)
    write(join(dirs.sqlmesh, 'models', 'sources', `${t}.sql`), `MODEL (name tpch.${t}, kind VIEW);\n\n${source(t)}\n`);
  write(
    join(dirs.sqlmesh, 'audits', 'row_count.sql'),
    'AUDIT (name row_count);\nSELECT n FROM (SELECT count(*) AS n FROM @this_model) WHERE n < @min_rows OR n > @max_rows\n',
  );
  for (const n of ids) {
    const [min, max] = expected[n];
    write(
      join(dirs.sqlmesh, 'models', `q${nn(n)}.sql`),
      `MODEL (\n  name tpch.q${nn(n)},\n  kind FULL,\n  audits (row_count(min_rows := ${min}, max_rows := ${max ?? 1e12}))\n);\n\n${qualified[n]}\n`,
    );
  }

  // bare DuckDB: one process, the same views and CREATE TABLE … AS, autocommit
  write(
    join(dirs.duckdb, 'plan.json'),
    JSON.stringify(
      [
        ...TABLES.map((t) => ({ run: `CREATE OR REPLACE VIEW ${t} AS ${source(t)}` })),
        ...ids.map((n) => ({ run: `CREATE OR REPLACE TABLE q${nn(n)} AS\n${sql(n)}` })),
      ],
      null,
      1,
    ),
  );

  const tables = (schema: string) => Object.fromEntries(ids.map((n) => [`q${nn(n)}`, `${schema}.q${nn(n)}`]));
  const c: Case = {
    id: 'tpch',
    label: `TPC-H SF${sf}: 22 queries as tables, from Parquet`,
    goals: { dbt: 1.0, sqlmesh: 1.0, duckdb: 1.05 },
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
        prepare: () => removeDb(join(dirs.dbt, 'tpch.duckdb')),
        tables: () => checksums(join(dirs.dbt, 'tpch.duckdb'), tables('main')),
      },
      {
        tool: 'sqlmesh',
        command: sqlmeshCmd(venv, dirs.sqlmesh, ['plan', '--auto-apply', '--no-prompts']),
        prepare: () => removeDb(join(dirs.sqlmesh, 'db.duckdb')),
        tables: () => checksums(join(dirs.sqlmesh, 'db.duckdb'), tables('tpch')),
      },
      {
        tool: 'duckdb',
        command: floorCmd(dirs.duckdb, ['plan', 'floor.duckdb', 'plan.json']),
        prepare: () => removeDb(join(dirs.duckdb, 'floor.duckdb')),
        tables: () => checksums(join(dirs.duckdb, 'floor.duckdb'), tables('main')),
      },
    ],
  };
  return { ...c, sides: c.sides.map((s) => ({ ...s, prime: primeCmd(venv, s.tool, s.command.cwd) })) };
}
