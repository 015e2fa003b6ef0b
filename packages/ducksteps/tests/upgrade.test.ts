// Upgrading (issue 30, items 2 and 3) through the real CLI: a project made by ducksteps 0.1.0 (the framework
// in its own lib/) gets one message naming what to change; a project whose package.json pins another version
// than the installed one is told to run ./install.sh; and, from packed tarballs as a user gets them, a project
// made by `npx <tarball A> init` installs, runs, is inspected, and runs again on tarball B after one changed line.
import t from 'tap';
import { execa } from 'execa';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, PKG, REPO } from './helpers.js';

const version = (JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as { version: string }).version;

t.test(
  'a project made by 0.1.0 (its own lib/, run.ts importing ./lib/…, named ducksteps): one message naming each change, exit 2',
  async (t) => {
    const dir = t.testdir({
      'run.ts': "import { parseArgs } from 'node:util';\nimport { commands } from './lib/cli/commands.js';\n",
      lib: { cli: { 'commands.ts': '// the framework, 0.1.0' } },
      'package.json': JSON.stringify({ name: 'ducksteps', version: '0.1.0', private: true }),
      sql: { '01_a': { 'a.sql': 'SELECT 1;' } },
    });
    for (const args of [[], ['doctor'], ['list']]) {
      const run = await cli(dir, args);
      t.equal(run.exitCode, 2, args.join(' ') || 'run');
      t.equal(run.stdout, '');
      t.match(
        run.stderr,
        /^ducksteps: this project holds the ducksteps framework itself, as projects made by ducksteps 0\.1\.0 did; from 0\.2\.0 ducksteps is a package the project depends on\. To run on it, change:\n  - run\.ts imports the framework from \.\/lib\/cli\/commands\.js: replace run\.ts with the two lines "import \{ main \} from 'ducksteps';" and "await main\(process\.argv\.slice\(2\)\);"\n  - lib\/ holds the framework's own sources \(0\.1\.0\): delete it[^\n]*\n  - package\.json "name" is "ducksteps": give the project a name of its own[^\n]*\n  - package\.json: add "ducksteps": "<version>" to "dependencies"[^\n]*\n  \(docs\/upgrading\.md, "0\.1\.0 to 0\.2\.0"; your sql\/, steps\/, tests\/ and publish\/ stay as they are\)$/,
      );
      t.notMatch(run.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace');
    }
  },
);

t.test(
  'a project whose package.json pins another ducksteps than the installed one stops: run ./install.sh',
  async (t) => {
    const dir = t.testdir({
      'package.json': JSON.stringify({ name: 'p-1', dependencies: { ducksteps: 'file:vendor/ducksteps-9.9.9.tgz' } }),
      'run.ts': "import { main } from 'ducksteps';\nawait main(process.argv.slice(2));\n",
      sql: { '01_a': { 'a.sql': 'SELECT 1;' } },
    });
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules')); // its node_modules holds this ducksteps
    const run = await execa(process.execPath, [join(dir, 'node_modules/ducksteps/bin/ducksteps.js')], {
      cwd: dir,
      reject: false,
    });
    t.equal(run.exitCode, 2);
    t.equal(
      run.stderr,
      `ducksteps: package.json pins ducksteps 9.9.9, and ${version} is installed\n  run ./install.sh (it installs the version package.json pins)`,
    );
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p-1', dependencies: { ducksteps: version } }));
    t.equal(
      (
        await execa(process.execPath, [join(dir, 'node_modules/ducksteps/bin/ducksteps.js')], {
          cwd: dir,
          reject: false,
        })
      ).exitCode,
      0,
    );
  },
);

t.test(
  'install.sh of a project whose vendored tarball is missing says which file and what to do (exit 2)',
  async (t) => {
    const root = t.testdir();
    t.equal((await cli(root, ['init', 'shop'])).exitCode, 0);
    const dir = join(root, 'shop');
    rmSync(join(dir, 'vendor', `ducksteps-${version}.tgz`));
    const run = await execa('./install.sh', { cwd: dir, reject: false });
    t.equal(run.exitCode, 2);
    t.equal(
      run.stderr,
      `ducksteps: package.json: "ducksteps": "file:vendor/ducksteps-${version}.tgz" names vendor/ducksteps-${version}.tgz, which is not there\n  put that tarball there (npm pack in a ducksteps checkout makes it), or pin a published version: "ducksteps": "X.Y.Z"`,
    );
    t.notOk(existsSync(join(dir, 'node_modules')), 'npm did not run');
  },
);

/** npm from the cache where it can (the tests install the same dependencies again and again). */
const NPM_ENV = {
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  NO_COLOR: '1',
};

/** `npm pack` of the package as it is, or as a later build of it (`as`: another version). */
async function pack(to: string, as?: string): Promise<string> {
  let folder = PKG;
  if (as) {
    folder = join(to, `ducksteps-${as}`);
    for (const part of ['bin', 'dist', 'templates', 'README.md', 'package.json', 'lib/engines/spark/connect/proto'])
      cpSync(join(PKG, part), join(folder, part), { recursive: true });
    const json = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    writeFileSync(join(folder, 'package.json'), JSON.stringify({ ...json, version: as }, null, 2));
  }
  const out = (
    await execa('npm', ['pack', folder, '--ignore-scripts', '--json', '--pack-destination', to], { env: NPM_ENV })
  ).stdout;
  return join(to, (JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string }>)[0].filename);
}

t.test(
  'from tarballs: npx <tarball A> init, ./install.sh, ./run.sh green; a step and an assertion; show, sql, doctor, --version; on tarball B after one changed line',
  { timeout: 1_800_000 }, // slow: npm installs ducksteps and its dependencies (DuckDB's binding, mermaid, …) three times
  async (t) => {
    const root = t.testdir();
    const a = await pack(root);
    const next = version.replace(/\d+$/, (patch) => String(Number(patch) + 1));
    const b = await pack(root, next);
    const users = join(root, 'user');
    mkdirSync(users);
    const init = await execa('npx', ['--yes', `--package=${a}`, 'ducksteps', 'init', 'shop'], {
      cwd: users,
      env: NPM_ENV,
      reject: false,
    });
    t.equal(init.exitCode, 0, init.stdout + init.stderr);
    const dir = join(users, 'shop');
    const sh = (file: string, args: string[] = []) =>
      execa(`./${file}`, args, { cwd: dir, env: NPM_ENV, reject: false });
    const installed = await sh('install.sh');
    t.equal(installed.exitCode, 0, installed.stderr);
    t.match(
      installed.stdout,
      new RegExp(`ducksteps ${version.replaceAll('.', '\\.')} is installed\\. Next: \\./run\\.sh`),
    );
    t.notOk(lstatSync(join(dir, 'node_modules/ducksteps')).isSymbolicLink(), 'installed from the tarball, not linked');
    t.notOk(existsSync(join(dir, 'node_modules/ducksteps/lib/cli')), 'the built package, without its sources');
    const first = await sh('run.sh');
    t.equal(first.exitCode, 0, first.stdout + first.stderr);
    t.match(first.stdout, /✔ 02_daily_revenue ok[\s\S]*✔ ok in /);

    t.equal((await sh('run.sh', ['new', 'customers'])).exitCode, 0);
    writeFileSync(
      join(dir, 'sql/03_customers/01_main.sql'),
      'CREATE OR REPLACE TABLE mart.customers AS\nSELECT customer, sum(amount) AS spent FROM core.orders GROUP BY customer;\n',
    );
    writeFileSync(
      join(dir, 'tests/customers.sql'),
      "-- name: customers_unique\n{{ unique('mart.customers', 'customer') }};\n",
    );
    const second = await sh('run.sh');
    t.equal(second.exitCode, 0, second.stdout + second.stderr);
    t.match(second.stdout, /✔ 03_customers ok in .*, 1 assertion gated it[\s\S]*✔ 3 assertions: 3 passed/);
    t.match(
      (await sh('run.sh', ['show', 'mart.customers', '--csv'])).stdout,
      /^customer,spent\r\n(alice,15\.75\r\nbob,7\.00|bob,7\.00\r\nalice,15\.75)$/,
    );
    t.match((await sh('run.sh', ['sql', 'SELECT count(*) AS n FROM core.orders'])).stdout, /│ n +│\n│ 3 +│/);
    const doctor = await sh('run.sh', ['doctor']);
    t.equal(doctor.exitCode, 0, doctor.stdout);
    t.match(
      doctor.stdout,
      new RegExp(
        `ok +ducksteps +${version.replaceAll('.', '\\.')} \\(.*shop/node_modules/ducksteps\\), the version package\\.json pins`,
      ),
    );
    t.match((await sh('run.sh', ['--version'])).stdout, new RegExp(`^ducksteps ${version.replaceAll('.', '\\.')}\\n`));

    cpSync(b, join(dir, 'vendor', `ducksteps-${next}.tgz`)); // the upgrade: the new tarball, one changed line
    const json = readFileSync(join(dir, 'package.json'), 'utf8');
    writeFileSync(join(dir, 'package.json'), json.replace(`ducksteps-${version}.tgz`, `ducksteps-${next}.tgz`));
    const stale = await sh('run.sh');
    t.equal(stale.exitCode, 2, 'before ./install.sh, the run says what to do');
    t.match(stale.stderr, `package.json pins ducksteps ${next}, and ${version} is installed\n  run ./install.sh`);
    rmSync(join(dir, 'vendor', `ducksteps-${version}.tgz`));
    t.equal((await sh('install.sh')).exitCode, 0);
    const upgraded = await sh('run.sh');
    t.equal(upgraded.exitCode, 0, upgraded.stdout + upgraded.stderr);
    t.match(upgraded.stdout, /✔ 03_customers ok[\s\S]*✔ 3 assertions: 3 passed/);
    t.match((await sh('run.sh', ['--version'])).stdout, new RegExp(`^ducksteps ${next.replaceAll('.', '\\.')}\\n`));
  },
);
