// `./run.sh docs`: write docs/pipeline.md from the project's plan (lineage, gates) and its publish targets.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from './context.js';
import { displayPlan } from '../run/plan-inputs.js';
import { loadSettings, type CliSettings } from '../project/config.js';
import { discover } from '../project/discover.js';
import { discoverTargets } from '../publish/targets.js';
import { pipelineDoc } from '../report/pipeline-doc.js';
import { toldNoSteps } from './no-steps.js';

export async function docsCommand({ root, flags }: CommandContext): Promise<number> {
  const settings = loadSettings(root, flags as CliSettings, { cluster: false });
  const project = discover(root, settings.engine);
  if (toldNoSteps(project)) return 0;
  const targets = discoverTargets(root);
  const plan = await displayPlan(project, settings, { strict: true }); // a step that does not render: its error
  if (!plan.flow) throw new Error('the lineage is missing from a strict plan');
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(
    join(root, 'docs', 'pipeline.md'),
    pipelineDoc(project, settings, { ...plan, flow: plan.flow }, targets),
  );
  process.stdout.write('wrote docs/pipeline.md\n');
  return 0;
}
