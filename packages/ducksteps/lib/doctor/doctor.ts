// `doctor`: every check in order, each ok, a warning or an error with its fix (dbt debug). A check that needs
// what an earlier one could not read (the settings, the project) is left out rather than failing twice.
import type { CliSettings } from '../project/config.js';
import { loadSettings } from '../project/config.js';
import { discover } from '../project/discover.js';
import { discoverTargets } from '../publish/targets.js';
import { isCluster } from '../engines/traits.js';
import type { Settings } from '../model.js';
import { fromError, ok, warning, type Check } from './check.js';
import { counted } from '../report/tables.js';
import { ducksteps, nodeCheck } from './environment.js';
import { inputsCheck } from './inputs.js';
import { postgresChecks } from './publish.js';
import { diskCheck, engineChecks, lockCheck, warehouseCheck } from './warehouse.js';

function settingsCheck(root: string, flags: CliSettings): { check: Check; settings?: Settings } {
  try {
    const settings = loadSettings(root, flags);
    return {
      check: ok(
        'settings',
        `package.json "ducksteps": ${settings.target ? `target ${settings.target}, ` : ''}database ${settings.database}${isCluster(settings.engine) ? `, engine ${settings.engine}` : ''}`,
      ),
      settings,
    };
  } catch (e) {
    return { check: fromError('settings', e) };
  }
}

function projectCheck(root: string, settings: Settings): Check {
  try {
    const project = discover(root, settings.engine);
    const targets = discoverTargets(root);
    if (project.steps.length === 0) return warning('project', 'no steps yet', './run.sh new NAME makes the first');
    return ok(
      'project',
      `${counted(project.steps.length, 'step')}, ${counted(project.testFiles.length, 'assertion file')}, ${counted(targets.length, 'publish target')}`,
    );
  } catch (e) {
    return fromError('project', e);
  }
}

/** Every check of the project in `root`, in the order they are printed. */
export async function doctor(root: string, flags: CliSettings): Promise<Check[]> {
  const checks: Check[] = [nodeCheck(), ducksteps(root)];
  const { check, settings } = settingsCheck(root, flags);
  checks.push(check);
  if (!settings) return checks;
  checks.push(projectCheck(root, settings));
  checks.push(...(await engineChecks(root, settings)));
  checks.push(await warehouseCheck(root, settings));
  checks.push(...(await inputsCheck(root, settings)));
  let targets: ReturnType<typeof discoverTargets> = [];
  try {
    targets = discoverTargets(root);
  } catch {
    // a broken publish file: the project check names it
  }
  checks.push(...(await postgresChecks(targets)));
  checks.push(diskCheck(root, settings), lockCheck(root, settings));
  return checks;
}
