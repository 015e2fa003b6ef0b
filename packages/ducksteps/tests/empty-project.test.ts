// A project with no steps yet (init --empty, or every step removed): each command says so and what to do,
// never a stack trace or "undefined" (issue 30, item 4).
import t from 'tap';
import { cli, project } from './helpers.js';

const NO_STEPS = /no steps yet: \.\/run\.sh new NAME\n\s+a step is a folder sql\/NN_name\//;

t.test('run, compile, watch and create-test refuse with exit 2: no steps yet, ./run.sh new NAME', async (t) => {
  const dir = project(t, undefined, { sql: {}, tests: {} });
  for (const args of [[], ['run'], ['compile'], ['--dry-run'], ['watch'], ['create-test', 'orders']]) {
    const run = await cli(dir, args);
    t.equal(run.exitCode, 2, args.join(' '));
    t.match(run.stderr, /^ducksteps: /, args.join(' '));
    t.match(run.stderr, NO_STEPS, args.join(' '));
    t.notMatch(`${run.stdout}${run.stderr}`, /undefined|internal error|\n\s+at /, args.join(' '));
  }
});

t.test('test, test --unit, list, docs and report say there are no steps yet, and exit 0', async (t) => {
  const dir = project(t, undefined, { sql: {}, tests: {} });
  for (const args of [['test'], ['test', '--unit'], ['list'], ['docs'], ['report']]) {
    const run = await cli(dir, args);
    t.equal(run.exitCode, 0, args.join(' '));
    t.match(run.stdout, NO_STEPS, args.join(' '));
    t.equal(run.stderr, '', args.join(' '));
    t.notMatch(run.stdout, /undefined|internal error/, args.join(' '));
  }
});

t.test('list --json on a project with no steps is still one JSON document', async (t) => {
  const dir = project(t, undefined, { sql: {} });
  const run = await cli(dir, ['list', '--json']);
  t.equal(run.exitCode, 0);
  t.same(JSON.parse(run.stdout).steps, []);
});

t.test('new makes the first step of an empty project, and then it runs', async (t) => {
  const dir = project(t, undefined, { sql: {} });
  const made = await cli(dir, ['new', 'orders']);
  t.equal(made.exitCode, 0, made.stderr);
  t.match(made.stdout, /created sql\/01_orders\/01_main\.sql/);
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stderr);
  t.match(run.stdout, /01_orders ok/);
});
