// `./run.sh compile` (and --dry-run): render and parse everything, run nothing; print the run plan of the
// selection given (default: every step); exit 1 on any error.
import type { CommandContext } from './context.js';
import { traitsOf } from '../engines/traits.js';
import { compileProject } from '../run/compile.js';
import { newRunId } from '../logs/history.js';
import { planInputs } from '../run/plan-inputs.js';
import { describePlan, planRun } from '../plan/plan.js';
import { loadSettings, type CliSettings } from '../project/config.js';
import { discover } from '../project/discover.js';
import { discoverTargets } from '../publish/targets.js';
import { retarget } from '../publish/retarget.js';
import { publishWithheld } from '../project/publish-choice.js';
import { templateContext } from '../render/template.js';
import { counted, detectStyle, errorBlock } from '../report/tables.js';
import { selectRun, type RunFlags } from './run-plan.js';
import { requireSteps } from './no-steps.js';

export async function compileCommand({ root, flags }: CommandContext): Promise<number> {
  const settings = loadSettings(root, flags as CliSettings, { cluster: false });
  const project = discover(root, settings.engine);
  requireSteps(project);
  const result = await compileProject(project, settings, newRunId());
  const style = detectStyle();
  for (const line of project.warnings ?? []) process.stdout.write(`! ${line}\n`);
  for (const error of result.errors) process.stdout.write(`${errorBlock(style, error)}\n`);
  const checked = result.parsed
    ? 'parsed'
    : `rendered (${traitsOf(settings.engine).title} SQL is checked by the cluster when it runs)`;
  const summary = `${counted(result.files, 'file')}, ${counted(result.statements, 'statement')} ${checked}, ${counted(result.errors.length, 'error')}; compiled SQL in logs/compiled/`;
  process.stdout.write(`${summary}\n`);
  const selected = await selectRun(project, flags as RunFlags, settings);
  const withhold = publishWithheld(flags as RunFlags, selected.settings, selected.partial === true);
  const context = templateContext(selected.settings, 'plan');
  const inputs = {
    project,
    settings: selected.settings,
    context,
    steps: selected.steps,
    targets: withhold ? [] : retarget(discoverTargets(root), selected.settings.publishTo),
  };
  const plan = planRun(await planInputs(inputs));
  process.stdout.write(
    `run plan${plan.flow ? '' : ' (without gates: a step does not render)'}:\n${describePlan(plan)
      .map((l) => `  ${l}`)
      .join('\n')}\n${withhold && discoverTargets(root).length ? `  publish: skipped (${withhold})\n` : ''}`,
  );
  return result.errors.length === 0 ? 0 : 1;
}
