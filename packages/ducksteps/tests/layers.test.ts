// The layering of lib/ (docs/internals.md): a folder imports only folders below it, and nothing on the
// driver side imports the worker or the engines (the process boundary is a folder boundary) but the engines'
// descriptors (engines/traits.ts, engines/traits/): what differs between engines, as data. Nothing outside
// engines/ names an engine on a cluster: it asks the descriptor.
import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { PKG } from './helpers.js';

/** Rank of each part of lib/: an import must go to a lower rank, or stay inside its own folder. */
const RANK: Record<string, number> = {
  'engines/traits': -1,
  'model.ts': 0,
  'trace.ts': 0,
  sql: 0,
  'unit-tests.ts': 0.05,
  'changes.ts': 0.05,
  'errors.ts': 0.1,
  'results.ts': 0.1,
  'warehouse.ts': 0.1,
  'protocol.ts': 0.2,
  logs: 1,
  engines: 1,
  project: 2,
  render: 2,
  publish: 2,
  init: 2.5,
  plan: 3,
  worker: 3,
  processes: 3,
  locks: 4,
  incremental: 4,
  reuse: 4,
  state: 4,
  lineage: 4,
  observe: 4.3,
  'unit-tests': 4.2,
  inspect: 4.3,
  run: 4.5,
  watch: 4.7,
  doctor: 5.5,
  report: 5,
  cli: 6,
  'index.ts': 7,
};
const DRIVER_SIDE = new Set([
  'init',
  'inspect',
  'doctor',
  'plan',
  'processes',
  'locks',
  'incremental',
  'reuse',
  'state',
  'lineage',
  'observe',
  'unit-tests',
  'run',
  'watch',
  'report',
  'cli',
  'project',
  'render',
  'logs',
]);
const WORKER_SIDE = new Set(['worker', 'engines']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** "worker", "sql", "model.ts", "run.ts": the part of lib/ (or the repo root) a file belongs to; the engines'
 * descriptors are "engines/traits", a part of their own below everything else. */
const partOf = (file: string) => {
  const rel = relative(join(PKG, 'lib'), file);
  if (rel === 'engines/traits.ts' || rel.startsWith('engines/traits/')) return 'engines/traits';
  return rel.startsWith('..') ? relative(PKG, file) : rel.split('/')[0];
};

/** Relative imports of a file, static and dynamic, resolved to absolute .ts paths (text that only looks like
 * an import, such as the step-script template inside a string, names no file and is left out; tsc checks
 * that real imports resolve). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts')).filter((path) => existsSync(path));
}

t.test('every import in lib/ goes down the layers, never upward', async (t) => {
  const files = sources(join(PKG, 'lib'));
  const upward: string[] = [];
  for (const file of files) {
    const from = partOf(file);
    for (const target of importsOf(file)) {
      const to = partOf(target);
      if (to === from) continue;
      if (RANK[from] === undefined || RANK[to] === undefined)
        upward.push(`${relative(PKG, file)} -> ${relative(PKG, target)} (a part with no rank)`);
      else if (RANK[to] >= RANK[from])
        upward.push(`${relative(PKG, file)} (${from}) imports ${relative(PKG, target)} (${to})`);
    }
  }
  t.same(upward, [], 'no upward or sideways import');
});

t.test(
  "the driver side never imports the worker or an engine's implementation: only workers touch the warehouse",
  async (t) => {
    const files = sources(join(PKG, 'lib')).filter((f) => DRIVER_SIDE.has(partOf(f)));
    const crossing = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => WORKER_SIDE.has(partOf(target)))
        .map((target) => `${relative(PKG, file)} -> ${relative(PKG, target)}`),
    );
    t.same(crossing, []);
  },
);

t.test("the engines' descriptors are data: they import no package and nothing outside themselves", async (t) => {
  const files = sources(join(PKG, 'lib')).filter((f) => partOf(f) === 'engines/traits');
  t.ok(files.length >= 3, 'the registry and one descriptor per engine');
  const outside = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)]
      .map((m) => m[1])
      .filter(
        (spec) =>
          !spec.startsWith('.') || partOf(resolve(dirname(file), spec).replace(/\.js$/, '.ts')) !== 'engines/traits',
      )
      .map((spec) => `${relative(PKG, file)} -> ${spec}`),
  );
  t.same(outside, []);
});

t.test('no file of lib/ outside engines/ names Spark, not even in a comment: it asks the descriptor', async (t) => {
  const naming = sources(join(PKG, 'lib'))
    .filter((f) => !relative(join(PKG, 'lib'), f).startsWith('engines/'))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/spark/i.test(line) ? [`${relative(PKG, f)}:${i + 1}`] : [])),
    );
  t.same(naming, []);
});

t.test('the layer check itself catches an upward import', async (t) => {
  const probe = join(PKG, 'lib', 'sql', 'probe.ts');
  t.equal(partOf(probe), 'sql');
  t.ok(RANK[partOf(join(PKG, 'lib', 'cli', 'run.ts'))] > RANK.sql, 'sql importing cli would be upward');
  t.equal(partOf(join(PKG, 'lib', 'engines', 'traits', 'duckdb.ts')), 'engines/traits');
  t.equal(partOf(join(PKG, 'lib', 'engines', 'open.ts')), 'engines', 'an implementation is on the worker side');
});

t.test(
  "only one file imports @duckdb/node-api, one cli-table3, and pg only publish delivery and the lake's run lock",
  async (t) => {
    const files = sources(join(PKG, 'lib'));
    const importers = (pkg: string) =>
      files
        .filter((f) => new RegExp(`['"]${pkg.replace('/', '\\/')}['"]`).test(readFileSync(f, 'utf8')))
        .map((f) => relative(PKG, f));
    t.same(importers('@duckdb/node-api'), ['lib/engines/duckdb/database.ts']);
    t.same(importers('pg'), ['lib/locks/lake-lock.ts', 'lib/publish/postgres/delivery.ts']);
    t.same(importers('cli-table3'), ['lib/report/tables.ts']);
  },
);

t.test("the README's folder table names every file of lib/, and only files that exist", async (t) => {
  const readme = readFileSync(join(PKG, 'README.md'), 'utf8');
  const rows = readme.split('\n').filter((l) => /^\| (`[a-z-]+\/`|\(top\)) \|/.test(l));
  const named = rows.flatMap((row) => {
    const folder = row.match(/^\| `([a-z-]+)\/`/)?.[1];
    const files = [...row.split('|')[3].matchAll(/`([a-z0-9-]+(?:\/[a-z0-9-]+)*\.ts|[a-z]+(?:\/[a-z]+)*\/)`/g)].map(
      (m) => m[1],
    );
    return files.map((f) => (folder ? `${folder}/${f}` : f));
  });
  const actual = sources(join(PKG, 'lib')).map((f) => relative(join(PKG, 'lib'), f));
  const covered = (file: string) => named.some((n) => n === file || (n.endsWith('/') && file.startsWith(n)));
  t.same(
    named.filter((n) => !n.endsWith('/') && !actual.includes(n)),
    [],
    'no name without a file',
  );
  t.same(
    actual.filter((f) => !covered(f)),
    [],
    'no file without a name',
  );
});
