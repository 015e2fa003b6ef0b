// The benchmark scenarios P1–P5: each builds its project in a scratch folder and knows its two sides.
import { execa } from 'execa';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Prepare } from './pairs.js';
import { join } from 'node:path';
import { dayFile, malformedLines } from '../steps/01_generate.js';

export const REPO = join(import.meta.dirname, '..');
const CLI = join(REPO, 'packages', 'ducksteps', 'bin', 'ducksteps.js');
const FLOOR = join(REPO, 'bench', 'floor.mjs');

export const ducksteps = (cwd: string, args: string[]) =>
  execa(process.execPath, [CLI, ...args], { cwd, env: { NO_COLOR: '1' } });
export const floor = (cwd: string, args: string[]) => execa(process.execPath, [FLOOR, ...args], { cwd });
export const checksum = async (cwd: string, db: string) =>
  JSON.parse((await floor(cwd, ['checksum', db])).stdout) as Record<string, string>;
/** The data tables' checksums: ducksteps' own tables (the batch ledger, the change-aware skip's state) record run
 * ids and times, and a bare process keeps none. */
export const dataTables = (sums: Record<string, string>) =>
  Object.entries(sums).filter(([table]) => !table.startsWith('ducksteps.'));
/** The data tables' checksums as one comparable text. */
export const dataChecksum = async (cwd: string, db: string) => JSON.stringify(dataTables(await checksum(cwd, db)));

/** A project folder with the given step SQL: { '01_a': 'SQL' }. */
export function syntheticProject(
  dir: string,
  steps: Record<string, string>,
  tests: Record<string, string> = {},
): string {
  rmSync(dir, { recursive: true, force: true });
  for (const [id, sql] of Object.entries(steps)) {
    mkdirSync(join(dir, 'sql', id), { recursive: true });
    writeFileSync(join(dir, 'sql', id, '01.sql'), sql);
  }
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (const [name, sql] of Object.entries(tests)) {
    mkdirSync(join(dir, 'tests'), { recursive: true });
    writeFileSync(join(dir, 'tests', name), sql);
  }
  return dir;
}

/** A copy of the example (steps only, no assertions) that can run on its own. */
export function exampleProject(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  for (const entry of ['sql', 'steps', 'publish', 'package.json'])
    cpSync(join(REPO, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** P1 — 20 trivial steps vs 20 bare processes running the same statements. */
export function p1(root: string) {
  const steps = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => {
      const n = String(i + 1).padStart(2, '0');
      return [`${n}_s${n}`, `CREATE OR REPLACE TABLE t${n} AS SELECT ${i + 1} AS x`];
    }),
  );
  const a = syntheticProject(join(root, 'p1a'), steps);
  const b = syntheticProject(join(root, 'p1b'), {});
  return {
    a: () => ducksteps(a, ['--recheck']), // every step runs (nothing changed between runs: all would be up to date)
    b: async () => {
      for (const sql of Object.values(steps)) await floor(b, ['statement', 'data/floor.duckdb', sql]);
    },
    check: async () =>
      (await dataChecksum(a, 'data/warehouse.duckdb')) === (await dataChecksum(b, 'data/floor.duckdb')),
  };
}

/** The floor's plan for the example: the compiled SQL of every step in order (one batch of 30 days), plus
 * what the 01_generate script does: put the snapshots in place, write each day's file and append its malformed
 * lines. */
function examplePlan(compiledFrom: string, days = 30): object[] {
  const plan: object[] = [{ mkdir: 'data/landing/orders' }, { mkdir: 'output' }];
  for (const step of readdirSync(join(compiledFrom, 'logs', 'compiled'))
    .filter((d) => /^\d/.test(d))
    .sort()) {
    const dir = join(compiledFrom, 'logs', 'compiled', step);
    for (const file of readdirSync(dir).sort()) plan.push({ sql: join(dir, file) });
    if (step !== '01_generate') continue;
    for (const snapshot of ['customers', 'products'])
      // the script puts a changed export in place
      plan.push({ rename: `data/landing/${snapshot}.csv.new`, to: `data/landing/${snapshot}.csv` });
    for (let day = 1; day <= days; day++) {
      const file = `data/landing/orders/${dayFile(day)}`;
      plan.push(
        { run: `COPY (FROM orders_of_day(${day})) TO '${file}' (FORMAT csv, HEADER, DELIMITER ',')` },
        { append: file, text: `${malformedLines(day).join('\n')}\n` },
      );
    }
  }
  const published = join(compiledFrom, 'logs', 'compiled', 'publish');
  for (const file of readdirSync(published).sort()) {
    // the file targets (the floor has no PostgreSQL)
    const sql = readFileSync(join(published, file), 'utf8');
    const target = sql.match(/--\s*publish:\s*file\s+(\S+)/)?.[1];
    const format = target?.endsWith('.parquet') ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT csv, HEADER';
    if (target) plan.push({ run: `COPY (${sql.replace(/;\s*$/, '')}) TO '${target}' (${format})` });
  }
  return plan;
}

/** Empties a project's data/ (its database, landing and archive) for a full build from nothing. */
const resetData = (dir: string) => {
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  mkdirSync(join(dir, 'data'));
};

/** Puts back a saved data/ folder (the state after a build) before a timed incremental run. */
const restoreData = (dir: string, saved: string) => {
  rmSync(join(dir, 'data'), { recursive: true, force: true });
  cpSync(saved, join(dir, 'data'), { recursive: true });
};

/** P2 (and P4) — the example pipeline vs the same rendered SQL in one bare process. */
export async function p2(root: string, orders: number, extra: string[] = []) {
  const a = exampleProject(join(root, 'p2a'));
  const b = exampleProject(join(root, 'p2b'));
  const args = ['--var', `orders=${orders}`, ...extra];
  await ducksteps(a, args); // renders logs/compiled for the floor's plan
  writeFileSync(join(b, 'plan.json'), JSON.stringify(examplePlan(a)));
  const prepare: Prepare = { a: () => resetData(a), b: () => resetData(b) }; // both build from nothing every time
  return {
    a: () => ducksteps(a, args),
    b: () => floor(b, ['plan', 'data/floor.duckdb', 'plan.json']),
    prepare,
    check: async () =>
      (await dataChecksum(a, 'data/warehouse.duckdb')) === (await dataChecksum(b, 'data/floor.duckdb')),
    dir: a,
    args,
  };
}

/** P6 — after a full build of 30 days, the run that ingests day 31, vs the full build itself; and
 * P7 — a run with nothing new, vs the same full build. Both sides are ducksteps. */
export async function p6p7(root: string, orders: number) {
  const dir = exampleProject(join(root, 'p6'));
  const saved = join(root, 'p6-base');
  const build = ['--var', `orders=${orders}`, '--var', 'days=30'];
  await ducksteps(dir, build);
  rmSync(saved, { recursive: true, force: true });
  cpSync(join(dir, 'data'), saved, { recursive: true });
  const full = { b: () => ducksteps(dir, build), check: async () => true };
  return {
    p6: {
      ...full,
      a: () => ducksteps(dir, ['--var', `orders=${orders}`, '--var', 'days=31']),
      prepare: { a: () => restoreData(dir, saved), b: () => resetData(dir) },
    },
    p7: {
      ...full,
      a: () => ducksteps(dir, build),
      prepare: { a: () => restoreData(dir, saved), b: () => resetData(dir) },
    },
  };
}

/** P10 — one step of 50,000 one-line INSERTs vs the same statements in one bare process. */
export function p10(root: string, count = 50_000) {
  const sql = [
    'CREATE TABLE t (x INTEGER);',
    ...Array.from({ length: count }, (_, i) => `INSERT INTO t VALUES (${i});`),
  ].join('\n');
  const a = syntheticProject(join(root, 'p10a'), { '01_many': sql });
  const b = syntheticProject(join(root, 'p10b'), {});
  writeFileSync(join(b, 'many.sql'), sql);
  return {
    a: () => ducksteps(a, []),
    b: () => floor(b, ['script', 'data/floor.duckdb', 'many.sql']),
    prepare: { a: () => resetData(a), b: () => resetData(b) },
    check: async () =>
      (await dataChecksum(a, 'data/warehouse.duckdb')) === (await dataChecksum(b, 'data/floor.duckdb')),
  };
}

/** P3 — `test` with 100 assertions vs the same 100 queries in one bare read-only process. */
export async function p3(root: string, rows: number) {
  const kinds = [
    (i: number) => `{{ unique('facts', 'id') }} -- ${i}`,
    (i: number) => `{{ not_null('facts', ['id', 'grp']) }} -- ${i}`,
    (i: number) =>
      `{{ accepted_values('facts', 'grp', [${Array.from({ length: 10 }, (_, g) => g).join(', ')}]) }} -- ${i}`,
    (i: number) => `{{ expression('facts', 'v >= 0 AND v < ${1000 + i}') }}`,
  ];
  const tests = Object.fromEntries(
    Array.from({ length: 100 }, (_, i) => [`a${String(i).padStart(3, '0')}.sql`, kinds[i % 4](i)]),
  );
  const dir = syntheticProject(
    join(root, 'p3'),
    {
      '01_facts': `CREATE TABLE facts AS SELECT range AS id, range % 10 AS grp, hash(range) % 1000 AS v FROM range(${rows})`,
    },
    tests,
  );
  await ducksteps(dir, []);
  const compiled = join(dir, 'logs', 'compiled', 'tests');
  const files = readdirSync(compiled)
    .sort()
    .map((f) => join(compiled, f));
  return {
    a: () => ducksteps(dir, ['test']),
    b: () => floor(dir, ['queries', 'data/warehouse.duckdb', ...files]),
    check: async () => true,
  };
}

/** P5 — `./run.sh list` on the example vs `node -e 0`. */
export function p5() {
  return {
    a: () => execa(join(REPO, 'run.sh'), ['list'], { cwd: REPO }),
    b: () => execa(process.execPath, ['-e', '0']),
    check: async () => true,
  };
}

/** P11 — the example with its assertions gating their steps vs the same build with "gates": false
 * (every assertion after the last step, as before gates existed). Both build from nothing. */
export function p11(root: string, orders: number) {
  const a = exampleProject(join(root, 'p11a'));
  const b = exampleProject(join(root, 'p11b'));
  for (const dir of [a, b])
    cpSync(join(REPO, 'tests'), join(dir, 'tests'), { recursive: true, filter: (src) => !src.includes('framework') });
  const settings = JSON.parse(readFileSync(join(b, 'package.json'), 'utf8'));
  writeFileSync(
    join(b, 'package.json'),
    JSON.stringify({ ...settings, ducksteps: { ...settings.ducksteps, gates: false } }, null, 2),
  );
  const args = ['--var', `orders=${orders}`];
  return {
    a: () => ducksteps(a, args),
    b: () => ducksteps(b, args),
    prepare: { a: () => resetData(a), b: () => resetData(b) },
    check: async () =>
      (await dataChecksum(a, 'data/warehouse.duckdb')) === (await dataChecksum(b, 'data/warehouse.duckdb')),
  };
}
