// `./run.sh create-test STEP --where EXPR [--name NAME] [--limit N]`: a unit test from the real warehouse, appended
// to tests/unit/NN_name.yaml for the user to edit; run once to show it passes.
import { checkTestName, createTest } from '../unit-tests/create-test.js';
import { loadSettings, parseVars, type CliSettings } from '../project/config.js';
import { discover } from '../project/discover.js';
import { findStep } from '../project/select.js';
import { counted, detectStyle, errorBlock } from '../report/tables.js';
import { unitFailure } from '../report/unit-tests.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from './context.js';
import { requireSteps } from './no-steps.js';

export async function createTestCommand({ root, flags, args }: CommandContext): Promise<number> {
  if (!args[0])
    throw new UsageError('create-test needs a step', {
      hint: "./run.sh create-test 03_quality --where \"order_id IN ('101', '102')\"",
    });
  const project = discover(root);
  requireSteps(project);
  const settings = loadSettings(root, flags as CliSettings);
  const step = findStep(project.steps, args[0], 'create-test');
  const name =
    typeof flags.name === 'string'
      ? flags.name
      : `generated_${new Date().toISOString().slice(0, 19).replace(/\D/g, '')}`;
  checkTestName(name);
  const limit = flags.limit === undefined ? 20 : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 0)
    throw new UsageError(`--limit must be a whole number >= 0, got "${flags.limit}"`);
  const wheres = (flags.where as string[] | undefined) ?? [];
  const command = ['./run.sh create-test', step.id, ...wheres.map((w) => `--where ${JSON.stringify(w)}`)].join(' ');
  const made = await createTest({
    project,
    settings,
    step,
    wheres,
    limit,
    name,
    vars: parseVars((flags.var as string[] | undefined) ?? []),
    command,
  });
  const style = detectStyle();
  if (made.given.length === 0 && made.check?.error) {
    process.stdout.write(
      `${errorBlock(style, made.check.error, `the step failed on the rows read for ${name}: nothing was written`)}\n`,
    );
    return 1;
  }
  process.stdout.write(`wrote ${made.file}: test ${name}\n`);
  if (made.batch !== undefined)
    process.stdout.write(
      `  batch ${made.batch}: ${wheres.length ? 'the latest batch holding the rows asked for' : `the latest batch ${step.id} committed`}\n`,
    );
  for (const g of made.given) process.stdout.write(`  given ${g.table}: ${counted(g.rows, 'row')} (of ${g.total})\n`);
  for (const e of made.expected) process.stdout.write(`  expect ${e.table}: ${counted(e.rows, 'row')}\n`);
  if (made.check?.status === 'pass') {
    process.stdout.write(
      `it passes as written: review it, keep the rows that matter, add keys; run it with ./run.sh test --unit --select ${step.id}\n`,
    );
    return 0;
  }
  if (made.check) process.stdout.write(`${unitFailure(style, made.check)}\n`);
  process.stdout.write('the test as written does not pass (above): edit it before relying on it\n');
  return 1;
}
