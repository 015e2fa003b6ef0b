// `./run.sh report`: write logs/report.html from what logs/ holds, without running anything.
import type { CommandContext } from './context.js';
import { displayPlan } from '../run/plan-inputs.js';
import { loadSettings, type CliSettings } from '../project/config.js';
import { discover } from '../project/discover.js';
import { writeReport } from '../report/html/write-report.js';
import { toldNoSteps } from './no-steps.js';

export async function reportCommand({ root, flags }: CommandContext): Promise<number> {
  const settings = loadSettings(root, flags as CliSettings, { cluster: false });
  const project = discover(root, settings.engine);
  if (toldNoSteps(project)) return 0;
  const plan = await displayPlan(project, settings).catch(() => undefined); // the lineage section, when it can be drawn
  let path: string | undefined;
  try {
    path = await writeReport(project, plan?.flow, settings.logs);
  } catch (error) {
    process.stderr.write(
      `ducksteps: logs/report.html could not be written: ${(error as Error).message}\n  check that logs/ is writable and has space; the logs themselves are unchanged\n`,
    );
    return 1;
  }
  process.stdout.write(path ? `report: ${path}\n` : 'no runs in logs/run_log.csv yet; run ./run.sh first\n');
  return 0;
}
