// `./run.sh [run]` and `./run.sh test`: build the selected steps and/or the assertions; exit 0 or 1.
import { build } from '../driver/build.js';
import type { CommandContext } from './commands.js';
import { loadSettings, parseVars, type CliSettings } from '../project/config.js';
import { consoleEvents, liveLine, printSummary } from '../report/console.js';
import { discover } from '../project/discover.js';
import { detectStyle } from '../report/tables.js';
import { planResume } from '../project/resume.js';
import { selectSteps } from '../project/select.js';
import { selectWithLineage, staleReaders } from '../project/select-lineage.js';
import { dependents, projectLineage } from '../render/project-lineage.js';
import { toJson } from '../report/json.js';
import { writeReport } from '../report/html/write-report.js';
import { UsageError } from '../errors.js';
import type { Project, Settings, Step } from '../types.js';

type Flags = CliSettings & { from?: string; to?: string; only?: string[]; select?: string[]; exclude?: string[]; resume?: boolean; json?: boolean };

/** How often a running step gets a progress line when the output is not a terminal (DUCKSTEPS_HEARTBEAT
 * overrides the 10 s, for tests). */
const heartbeatMs = () => Number(process.env.DUCKSTEPS_HEARTBEAT) || 10_000;

/** The HTML report of the run; a report that cannot be written never changes the run's outcome. */
function writeReportSafely(project: Project, settings: Settings): string | undefined {
  try {
    return writeReport(project, settings);
  } catch (error) {
    process.stderr.write(`ducksteps: the HTML report could not be written: ${(error as Error).message}\n`);
    return undefined;
  }
}

/** Steps a partial run leaves stale (they read what it rebuilds); none when the SQL cannot be rendered. */
function staleWarnings(project: Project, steps: readonly Step[], settings: Settings): string[] {
  try {
    return staleReaders(project.steps, steps, dependents(projectLineage(project, settings)));
  } catch {
    return []; // a template error: the run itself reports it at its file:line
  }
}

/** Steps and settings for this run: a selection, a resume of the last run, or everything. */
function plan(project: Project, flags: Flags, settings: Settings, testsOnly: boolean): { steps: readonly Step[]; settings: Settings } {
  if (testsOnly) return { steps: [], settings };
  if (flags.select || flags.exclude) {
    const other = (['from', 'to', 'only', 'resume'] as const).find((f) => flags[f] !== undefined);
    if (other) throw new UsageError(`--select/--exclude cannot be combined with --${other}`, { hint: 'use --select STEP, STEP+ or +STEP alone (see docs/running.md)' });
    return { steps: selectWithLineage(project.steps, flags.select ?? [], flags.exclude ?? [], dependents(projectLineage(project, settings))), settings };
  }
  if (!flags.resume) return { steps: selectSteps(project.steps, flags), settings };
  const picked = (['from', 'to', 'only'] as const).find((f) => flags[f] !== undefined);
  if (picked) throw new UsageError(`--resume cannot be combined with --${picked}`, { hint: '--resume starts where the last run failed; to choose steps yourself, leave out --resume' });
  const resume = planResume(project, flags.db);
  const database = resume.database ?? settings.database;
  return { steps: resume.steps, settings: { ...settings, database, vars: { ...resume.vars, ...parseVars(flags.var ?? []) } } };
}

export async function runCommand({ root, flags }: CommandContext, testsOnly = false): Promise<number> {
  const f = flags as Flags;
  const project = discover(root);
  const { steps, settings } = plan(project, f, loadSettings(root, f), testsOnly);
  // `test --select X`: the assertions gating the selected steps
  const testSteps = testsOnly && (f.select || f.exclude) ? selectWithLineage(project.steps, f.select ?? [], f.exclude ?? [], dependents(projectLineage(project, settings))) : undefined;
  const style = f.json ? { color: false } : detectStyle();
  const write = (text: string) => (f.json ? process.stderr : process.stdout).write(`${text}\n`);
  if (!testsOnly && steps.length < project.steps.length) for (const line of staleWarnings(project, steps, settings)) write(`! ${line}`);
  const stop = new AbortController();
  const result = await whileStoppable(stop, () => build({ root, project, settings, steps, testSteps, signal: stop.signal, events: consoleEvents(style, write, !f.json && process.stdout.isTTY ? liveLine(process.stdout) : undefined), heartbeatMs: heartbeatMs() }));
  if (f.json) process.stdout.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
  else printSummary(style, write, result);
  const report = writeReportSafely(project, settings);
  if (report) write(`report: ${report}`);
  return result.status === 'ok' ? 0 : result.status === 'interrupted' ? exitCodeFor(stop.signal.reason) : 1;
}

/** 130 after Ctrl-C (SIGINT), 143 after SIGTERM: the shell's convention, 128 + the signal's number. */
export const exitCodeFor = (signal: unknown) => (signal === 'SIGTERM' ? 143 : 130);

/** First Ctrl-C or SIGTERM: abort with the signal's name as the reason, so the running step rolls back and
 * the logs are finished; a second one exits at once. */
export async function whileStoppable<T>(controller: AbortController, run: () => Promise<T>): Promise<T> {
  const on = (name: 'SIGINT' | 'SIGTERM') => () => {
    if (controller.signal.aborted) process.exit(exitCodeFor(name));
    process.stderr.write(`\nstopping (${name}): the running step is rolled back (${name === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to quit at once)\n`);
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
