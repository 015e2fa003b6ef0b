// `init DIR` (issue 30, item 2) through the real CLI: the card's top level, a name of its own, the running
// ducksteps packed into vendor/ and pinned to it; green at once; --empty, --example; a folder that is not empty
// refused. Projects here run on the checkout's node_modules (a symlink, as exampleCopy does); installing from
// the tarball itself is upgrade.test.ts.
import t from 'tap';
import { execa } from 'execa';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, PKG, REPO } from './helpers.js';

const version = (JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as { version: string }).version;
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
/** The project's own ./run.sh, on the checkout's node_modules. */
const runSh = (dir: string, args: string[] = []) => {
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return execa('./run.sh', args, { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
};

t.test(
  "init makes the card's top level, a name of its own, and pins the ducksteps it packed into vendor/",
  async (t) => {
    const root = t.testdir();
    const made = await cli(root, ['init', 'shop']);
    t.equal(made.exitCode, 0, made.stderr);
    t.match(
      made.stdout,
      new RegExp(
        `^created shop/: a ducksteps ${version.replaceAll('.', '\\.')} project, package\\.json "name": "shop-[0-9a-f]{6}"`,
      ),
    );
    t.match(made.stdout, /\nnext: cd shop && \.\/install\.sh && \.\/run\.sh/);
    const dir = join(root, 'shop');
    for (const entry of [
      'sql',
      'steps',
      'tests',
      'publish',
      'docs',
      'logs',
      'run.ts',
      'run.sh',
      'run.bat',
      'install.sh',
      'install.bat',
      'package.json',
      'README.md',
      '.gitignore',
    ])
      t.ok(existsSync(join(dir, entry)), entry);
    t.same(readdirSync(join(dir, 'sql')), ['01_orders', '02_daily_revenue'], 'a starter of two steps');
    t.ok(
      existsSync(join(dir, 'tests/orders.sql')) && existsSync(join(dir, 'tests/unit/02_daily_revenue.yaml')),
      'an assertion file and a unit test',
    );
    t.match(
      readFileSync(join(dir, 'publish/daily_revenue.sql'), 'utf8'),
      /^-- publish: file output\/daily_revenue\.csv\n(-- .*\n)+SELECT/,
      'a commented publish sample',
    );
    t.same(readFileSync(join(dir, '.gitignore'), 'utf8').split('\n').filter(Boolean), [
      'node_modules/',
      'data/',
      'logs/',
      'output/',
    ]);
    for (const script of ['run.sh', 'install.sh'])
      t.ok(statSync(join(dir, script)).mode & 0o100, `${script} is executable`);
    const pkg = json(join(dir, 'package.json'));
    t.match(pkg, {
      private: true,
      type: 'module',
      dependencies: { ducksteps: `file:vendor/ducksteps-${version}.tgz` },
    });
    const tarball = join(dir, 'vendor', `ducksteps-${version}.tgz`);
    const listed = (await execa('tar', ['tzf', tarball])).stdout.split('\n');
    for (const file of [
      'package/package.json',
      'package/bin/ducksteps.js',
      'package/dist/index.js',
      'package/templates/project/run.sh',
    ])
      t.ok(listed.includes(file), `the tarball holds ${file}`);
    t.match(
      readFileSync(join(dir, 'README.md'), 'utf8'),
      new RegExp(
        `^# ${pkg.name}\\n[\\s\\S]*ducksteps ${version.replaceAll('.', '\\.')} into \\./node_modules[\\s\\S]*## Add a step[\\s\\S]*## Look at the data[\\s\\S]*## Upgrade`,
      ),
    );
    t.match(
      readFileSync(join(dir, 'run.ts'), 'utf8'),
      /import \{ main \} from 'ducksteps';\n\nawait main\(process\.argv\.slice\(2\)\);/,
    );
    const again = await cli(root, ['init', 'other/shop']);
    t.equal(again.exitCode, 0);
    t.not(json(join(root, 'other/shop/package.json')).name, pkg.name, 'two projects made as "shop" are two pipelines');
  },
);

t.test('a project made by init runs green at once; a step and an assertion added to it run too', async (t) => {
  const root = t.testdir();
  const dir = join(root, 'shop');
  t.equal((await cli(root, ['init', 'shop'])).exitCode, 0);
  const first = await runSh(dir);
  t.equal(first.exitCode, 0, first.stdout + first.stderr);
  t.match(
    first.stdout,
    /^✔ unit tests: 1 passed in [\d.]+ s\n✔ 01_orders ok in .*, 2 assertions gated it\n✔ 02_daily_revenue ok in [^\n]+\n✔ 2 assertions: 2 passed\n✔ publish: 1 ok\n✔ ok in /,
  );
  t.equal(
    readFileSync(join(dir, 'output/daily_revenue.csv'), 'utf8'),
    'order_date,orders,revenue\n2024-01-01,2,19.50\n2024-01-02,1,3.25\n',
  );
  const made = await runSh(dir, ['new', 'customers']);
  t.equal(made.exitCode, 0, made.stderr);
  writeFileSync(
    join(dir, 'sql/03_customers/01_main.sql'),
    'CREATE OR REPLACE TABLE mart.customers AS\nSELECT customer, sum(amount) AS spent FROM core.orders GROUP BY customer;\n',
  );
  writeFileSync(
    join(dir, 'tests/customers.sql'),
    "-- name: customers_unique\n{{ unique('mart.customers', 'customer') }};\n",
  );
  const second = await runSh(dir);
  t.equal(second.exitCode, 0, second.stdout + second.stderr);
  t.match(second.stdout, /✔ 03_customers ok in [\d.]+ s, 2 rows, 1 statement, 1 assertion gated it/);
  t.match(second.stdout, /✔ 3 assertions: 3 passed/);
  writeFileSync(
    join(dir, 'tests/customers.sql'),
    '-- name: customers_spent_little\nSELECT * FROM mart.customers WHERE spent > 10;\n',
  );
  const failing = await runSh(dir);
  t.equal(failing.exitCode, 1, 'the new assertion gates the new step');
  t.match(
    failing.stdout,
    // nothing 03_customers reads changed: it is up to date, and its new gate runs on its table after the steps
    /✔ 03_customers up to date[\s\S]*✘ customers_spent_little \(tests\/customers\.sql:2\): 1 offending row/,
  );
});

t.test('init refuses a folder that is not empty (exit 2), naming what is there, and writes nothing', async (t) => {
  const root = t.testdir({ shop: { 'notes.txt': 'mine', data: { 'a.csv': 'x\n1\n' } } });
  const run = await cli(root, ['init', 'shop']);
  t.equal(run.exitCode, 2);
  t.equal(
    run.stderr,
    'ducksteps: shop is not empty: it holds data, notes.txt\n  init makes a project in a new or empty folder: choose another one (ducksteps init NEW_FOLDER)',
  );
  t.same(readdirSync(join(root, 'shop')).sort(), ['data', 'notes.txt'], 'nothing written');
  const none = await cli(root, ['init']);
  t.equal(none.exitCode, 2);
  t.match(none.stderr, /init needs the folder to make the project in\n\s+e\.g\. ducksteps init shop/);
  const both = await cli(root, ['init', 'x', '--example', '--empty']);
  t.equal(both.exitCode, 2);
  t.match(both.stderr, /--example and --empty cannot go together/);
  mkdirSync(join(root, 'repo'));
  mkdirSync(join(root, 'repo', '.git'));
  t.equal((await cli(root, ['init', 'repo'])).exitCode, 0, 'a folder holding only a fresh .git is taken');
});

t.test('init --empty: no step yet, said by every command; new makes the first, and it runs', async (t) => {
  const root = t.testdir();
  const dir = join(root, 'blank');
  const made = await cli(root, ['init', 'blank', '--empty']);
  t.equal(made.exitCode, 0, made.stderr);
  t.match(made.stdout, /no step yet: \.\/run\.sh new NAME makes the first/);
  t.same(readdirSync(join(dir, 'sql')), ['.gitkeep'], 'sql/ is kept by git though empty');
  t.same(json(join(dir, 'package.json')).ducksteps, { database: 'data/warehouse.duckdb' });
  const run = await runSh(dir);
  t.equal(run.exitCode, 2);
  t.match(run.stderr, /ducksteps: no steps yet: \.\/run\.sh new NAME/);
  t.equal((await runSh(dir, ['new', 'first'])).exitCode, 0);
  t.equal((await runSh(dir)).exitCode, 0);
});

t.test('init --example: the shop example with its settings, and it builds', async (t) => {
  const root = t.testdir();
  const dir = join(root, 'example');
  const made = await cli(root, ['init', 'example', '--example']);
  t.equal(made.exitCode, 0, made.stderr);
  for (const part of [
    'sql/01_generate/03_orders.sql',
    'steps/01_generate.ts',
    'tests/keys.sql',
    'tests/unit/03_quality.yaml',
    'publish/01_customer_features_file.sql',
  ])
    t.ok(existsSync(join(dir, part)), part);
  t.same(
    json(join(dir, 'package.json')).ducksteps,
    json(join(REPO, 'package.json')).ducksteps,
    "the example's settings",
  );
  const run = await runSh(dir, ['--var', 'orders=300', '--var', 'days=2']);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.match(run.stdout, /✔ 05_aggregate batch 1 \(2 files\) ok/);
});

t.test('./run.sh init ../DIR from the repository itself (its run.ts) makes the same project', async (t) => {
  const dir = join(t.testdir(), 'shop');
  const run = await cli(REPO, ['init', dir]);
  t.equal(run.exitCode, 0, run.stderr);
  t.ok(existsSync(join(dir, 'sql/01_orders/01_orders.sql')));
  t.match(json(join(dir, 'package.json')).dependencies, { ducksteps: `file:vendor/ducksteps-${version}.tgz` });
});
