// `./run.sh [run]` and `./run.sh test`: build the selected steps and/or the assertions; exit 0 or 1.
import { build } from '../run/build.js';
import type { CommandContext } from './context.js';
import { loadSettings } from '../project/config.js';
import { consoleEvents, liveLine, printSummary } from '../report/console.js';
import { closingLine } from '../report/quiet.js';
import { discover } from '../project/discover.js';
import { detectStyle } from '../report/tables.js';
import { selectRun, staleWarnings, testSelection, type RunFlags } from './run-plan.js';
import { toJson } from '../report/json.js';
import { safeJson } from '../report/escape.js';
import { prefetchReport, writeReport } from '../report/html/write-report.js';
import type { Project } from '../model.js';
import type { Flow } from '../results.js';
import { mark } from '../trace.js';
import { relative } from 'node:path';
import { logsOf } from '../warehouse.js';
import { publishWithheld } from '../project/publish-choice.js';
import { discoverTargets } from '../publish/targets.js';
import { requireSteps, toldNoSteps } from './no-steps.js';

/** How often a running step gets a progress line when the output is not a terminal (DUCKSTEPS_HEARTBEAT
 * overrides the 10 s, for tests). */
const heartbeatMs = () => Number(process.env.DUCKSTEPS_HEARTBEAT) || 10_000;

/** The HTML report of the run; a report that cannot be written never changes the run's outcome. */
export async function writeReportSafely(project: Project, flow?: Flow, logs?: string): Promise<string | undefined> {
  try {
    return await writeReport(project, flow, logs);
  } catch (error) {
    process.stderr.write(`ducksteps: the HTML report could not be written: ${(error as Error).message}\n`);
    return undefined;
  }
}

export async function runCommand({ root, flags }: CommandContext, testsOnly = false): Promise<number> {
  const f = flags as RunFlags;
  const began = performance.now();
  if (testsOnly && flags.unit) return (await import('./test-unit.js')).testUnitCommand(root, f);
  prefetchReport(); // its libraries are read while the steps run
  const loaded = loadSettings(root, f);
  const project = discover(root, loaded.engine);
  if (!testsOnly) requireSteps(project);
  else if (!f.json && toldNoSteps(project)) return 0;
  mark('discovered');
  const { steps, settings, publish, notices, partial, nothing } = testsOnly
    ? { steps: [], settings: loaded, publish: false, notices: [], partial: false, nothing: undefined }
    : await selectRun(project, f, loaded);
  if (nothing) {
    process.stdout.write(`${nothing}: nothing to run\n`);
    return 0;
  }
  const withhold = testsOnly ? undefined : publishWithheld(f, settings, partial === true);
  const testSteps = testsOnly ? await testSelection(project, f, settings) : undefined;
  const style = f.json ? { color: false } : detectStyle();
  const write = (text: string) => (f.json ? process.stderr : process.stdout).write(`${text}\n`);
  for (const line of project.warnings ?? []) write(`! ${line}`);
  for (const line of notices ?? []) write(`· ${line}`);
  if (withhold && discoverTargets(root).length > 0) write(`· publish: skipped (${withhold})`);
  if (!testsOnly && steps.length < project.steps.length)
    for (const line of await staleWarnings(project, steps, settings)) write(`! ${line}`);
  mark('planned');
  const stop = new AbortController();
  const building = whileStoppable(stop, () =>
    build({
      root,
      project,
      settings,
      steps,
      testSteps,
      publish,
      withhold,
      signal: stop.signal,
      events: consoleEvents(
        style,
        write,
        !f.json && process.stdout.isTTY ? liveLine(process.stdout) : undefined,
        f.verbose,
      ),
      heartbeatMs: heartbeatMs(),
    }),
  );
  // a run that stops before its first step (a configuration error found on the way) still gets its report,
  // so report.html never shows the run before it as the latest
  const result = await building.catch(async (error: unknown) => {
    await writeReportSafely(project, undefined, settings.logs);
    throw error;
  });
  if (f.json) process.stdout.write(`${safeJson(JSON.stringify(toJson(result), null, 2))}\n`);
  else printSummary(style, write, result, f.verbose, relative(root, logsOf(root, settings)));
  mark('summary printed');
  const report = await writeReportSafely(project, result.flow, settings.logs);
  mark('report written');
  const logs = relative(root, logsOf(root, settings));
  if (!f.json && !f.verbose) write(closingLine(style, result, performance.now() - began, report, logs));
  else if (report) write(`report: ${report}`);
  return result.status === 'ok' ? 0 : result.status === 'interrupted' ? exitCodeFor(stop.signal.reason) : 1;
}

/** 130 after Ctrl-C (SIGINT), 143 after SIGTERM: the shell's convention, 128 + the signal's number. */
export const exitCodeFor = (signal: unknown) => (signal === 'SIGTERM' ? 143 : 130);

/** First Ctrl-C or SIGTERM: abort with the signal's name as the reason, so the running step rolls back and
 * the logs are finished; a second one exits at once. */
export async function whileStoppable<T>(controller: AbortController, run: () => Promise<T>): Promise<T> {
  const on = (name: 'SIGINT' | 'SIGTERM') => () => {
    if (controller.signal.aborted) process.exit(exitCodeFor(name));
    process.stderr.write(
      `\nstopping (${name}): the running step is rolled back (${name === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to quit at once)\n`,
    );
    controller.abort(name);
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await run();
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
