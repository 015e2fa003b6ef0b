// `./run.sh test --unit [--select STEP]`: the unit tests in tests/unit/, each on an in-memory DuckDB; a table of
// every test, each failure's diff, exit 1 when one fails. The warehouse is never opened, and logs/report.html
// (the latest run of the pipeline) is left as it is: the results are on the console and in logs/tests.csv.
import { newRunId } from '../logs/history.js';
import { testUnits } from '../run/stages/unit-tests.js';
import { loadSettings } from '../project/config.js';
import { discover } from '../project/discover.js';
import { unitJson } from '../report/json.js';
import { detectStyle } from '../report/tables.js';
import { unitTestsBlock, unitTestsTable, unrenderedBlock } from '../report/unit-tests.js';
import { exitCodeFor, whileStoppable } from './run.js';
import { testSelection, type RunFlags } from './run-plan.js';
import { toldNoSteps } from './no-steps.js';

export async function testUnitCommand(root: string, flags: RunFlags): Promise<number> {
  const project = discover(root);
  if (!flags.json && toldNoSteps(project)) return 0;
  const settings = loadSettings(root, flags, { cluster: false });
  const steps = await testSelection(project, flags, settings);
  const style = flags.json ? { color: false } : detectStyle();
  const stop = new AbortController();
  const report = await whileStoppable(stop, () => testUnits(project, settings, newRunId(), steps, stop.signal));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(unitJson(report), null, 2)}\n`);
  } else if (report.results.length === 0) {
    process.stdout.write(
      `no unit tests${steps ? ' for the selected steps' : ''} in tests/unit/ (how to write one: docs/unit-tests.md)\n`,
    );
    return 0;
  } else {
    const unrendered = unrenderedBlock(style, report).map((block) => `${block}\n`);
    process.stdout.write(
      `${unrendered.join('')}${unitTestsTable(style, report)}\n${unitTestsBlock(style, report, false)}\n`,
    );
  }
  return report.status === 'ok' ? 0 : report.status === 'interrupted' ? exitCodeFor(stop.signal.reason) : 1;
}
