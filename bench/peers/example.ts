// The example pipeline on each tool: a full build of 30 landing day files, the next day (day 31 lands),
// and a run with nothing new. The landing files are generated once per size by the example's own
// generator (sql/01_generate + steps/01_generate.ts, outside the timing) and hard-linked into each tool's
// project; the ducksteps side is the example's steps 02–05 and its tests/ (no generator, no publish: the
// ports do neither).
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { checksums } from './checksum.js';
import { dbtExample } from './example-dbt.js';
import { BOOKKEEPING, EXAMPLE_TABLES } from './example-sql.js';
import { sqlmeshExample } from './example-sqlmesh.js';
import type { Case, Side, Tool } from './rounds.js';
import { dbtCmd, duckstepsCmd, primeCmd, REPO, sqlmeshCmd } from './tools.js';
import type { Venv } from './venv.js';
import type { Command } from './measure.js';

const dayFile = (day: number) => `orders_${new Date(Date.UTC(2024, 0, day)).toISOString().slice(0, 10)}.csv`;

/** The landing files for `orders` (31 days), generated once by the example's generator step. */
function landing(orders: number, log: (s: string) => void): string {
  const dir = join(REPO, '.cache', 'peers', 'example', `orders-${orders}`);
  const out = join(dir, 'gen', 'data', 'landing');
  if (existsSync(join(dir, 'done'))) return out;
  log(`example: generating the landing files for ${orders.toLocaleString('en-US')} orders (31 days; once) …`);
  const gen = join(dir, 'gen');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(gen, 'sql'), { recursive: true });
  for (const d of ['01_generate', 'macros']) cpSync(join(REPO, 'sql', d), join(gen, 'sql', d), { recursive: true });
  cpSync(join(REPO, 'steps', '01_generate.ts'), join(gen, 'steps', '01_generate.ts'));
  writeFileSync(
    join(gen, 'package.json'),
    JSON.stringify({ name: 'gen', private: true, type: 'module', ducksteps: {} }),
  );
  symlinkSync(join(REPO, 'node_modules'), join(gen, 'node_modules'));
  mkdirSync(join(gen, 'data'));
  execFileSync(
    process.execPath,
    [join(REPO, 'packages', 'ducksteps', 'bin', 'ducksteps.js'), '--var', `orders=${orders}`, '--var', 'days=31'],
    {
      cwd: gen,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  writeFileSync(join(dir, 'done'), '');
  return out;
}

/** Hard-links a tree (files shared, folders new); DuckDB files are copied, since DuckDB writes them in place. */
function linkTree(from: string, to: string): void {
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const e of readdirSync(from)) linkTree(join(from, e), join(to, e));
  } else if (/\.duckdb(\.wal)?$/.test(from)) copyFileSync(from, to);
  else linkSync(from, to);
}

/** A tool's project, with what makes up its state (kept after the full build, put back before each next run). */
interface Project {
  tool: Tool;
  dir: string;
  state: string[];
  db: string;
}

function setLanding(p: Project, source: string, days: number) {
  const to = join(p.dir, 'data', 'landing');
  rmSync(to, { recursive: true, force: true });
  mkdirSync(join(to, 'orders'), { recursive: true });
  for (const f of ['customers.csv', 'products.csv']) linkSync(join(source, f), join(to, f));
  for (let d = 1; d <= days; d++) linkSync(join(source, 'orders', dayFile(d)), join(to, 'orders', dayFile(d)));
}

const reset = (p: Project) => {
  for (const s of p.state) rmSync(join(p.dir, s), { recursive: true, force: true });
};
const save = (p: Project) => {
  rmSync(join(p.dir, '.saved'), { recursive: true, force: true });
  for (const s of p.state) if (existsSync(join(p.dir, s))) linkTree(join(p.dir, s), join(p.dir, '.saved', s));
};
const restore = (p: Project) => {
  reset(p);
  for (const s of p.state) if (existsSync(join(p.dir, '.saved', s))) linkTree(join(p.dir, '.saved', s), join(p.dir, s));
};

function duckstepsExample(dir: string, orders: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'sql'), { recursive: true });
  for (const d of readdirSync(join(REPO, 'sql')).filter((d) => d !== '01_generate'))
    cpSync(join(REPO, 'sql', d), join(dir, 'sql', d), { recursive: true });
  mkdirSync(join(dir, 'tests'));
  for (const f of readdirSync(join(REPO, 'tests')).filter((f) => f.endsWith('.sql')))
    copyFileSync(join(REPO, 'tests', f), join(dir, 'tests', f));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'example',
        private: true,
        type: 'module',
        ducksteps: {
          vars: { orders: String(orders), days: '30' },
          inputs: { orders: 'data/landing/orders/*.csv' },
          archive: 'data/archive',
        },
      },
      null,
      2,
    ),
  );
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
}

export async function exampleCases(
  venv: Venv,
  root: string,
  orders: number,
  threads: number,
  log: (s: string) => void,
): Promise<Case[]> {
  const source = landing(orders, log);
  rmSync(root, { recursive: true, force: true });
  const projects: Project[] = [
    { tool: 'ducksteps', dir: join(root, 'ducksteps'), state: ['data'], db: 'data/warehouse.duckdb' },
    { tool: 'dbt', dir: join(root, 'dbt'), state: ['data', 'example.duckdb'], db: 'example.duckdb' },
    { tool: 'sqlmesh', dir: join(root, 'sqlmesh'), state: ['data', 'db.duckdb'], db: 'db.duckdb' },
  ];
  duckstepsExample(projects[0].dir, orders);
  dbtExample(projects[1].dir, threads);
  sqlmeshExample(projects[2].dir, threads);
  const tables = (p: Project) => () =>
    checksums(join(p.dir, p.db), Object.fromEntries(EXAMPLE_TABLES.map((t) => [t, t])), BOOKKEEPING);
  const commands: Record<'full' | 'next' | 'nothing', (p: Project) => Command> = {
    full: (p) =>
      p.tool === 'ducksteps'
        ? duckstepsCmd(p.dir)
        : p.tool === 'dbt'
          ? dbtCmd(venv, p.dir, ['build'])
          : sqlmeshCmd(venv, p.dir, ['plan', '--auto-apply', '--no-prompts', '--execution-time', '2024-01-31']),
    next: (p) => (p.tool === 'sqlmesh' ? sqlmeshCmd(venv, p.dir, ['run', '--end', '2024-01-31']) : commands.full(p)),
    nothing: (p) => (p.tool === 'sqlmesh' ? sqlmeshCmd(venv, p.dir, ['run', '--end', '2024-01-30']) : commands.full(p)),
  };
  const sides = (kind: 'full' | 'next' | 'nothing', prepare: (p: Project) => void): Side[] =>
    projects.map((p) => ({
      tool: p.tool,
      command: commands[kind](p),
      prepare: () => prepare(p),
      tables: tables(p),
      prime: primeCmd(venv, p.tool, p.dir),
    }));
  const n = orders.toLocaleString('en-US');
  return [
    {
      id: 'example-full',
      label: `example, ${n} orders: full build of 30 day files`,
      goals: { dbt: 0.95, sqlmesh: 0.95 },
      sides: sides('full', (p) => {
        reset(p);
        setLanding(p, source, 30);
      }),
    },
    // the state after the last full build is kept (untimed) for the next two cases
    {
      id: 'example-next',
      label: `example, ${n} orders: the next day (day 31 lands)`,
      goals: { dbt: 0.95, sqlmesh: 0.95 },
      sides: sides('next', (p) => {
        if (!existsSync(join(p.dir, '.saved'))) save(p);
        restore(p);
        linkSync(join(source, 'orders', dayFile(31)), join(p.dir, 'data', 'landing', 'orders', dayFile(31)));
      }),
    },
    {
      id: 'example-nothing',
      label: `example, ${n} orders: a run with nothing new`,
      goals: { dbt: 0.3, sqlmesh: 0.3 },
      sides: sides('nothing', restore),
    },
  ];
}
