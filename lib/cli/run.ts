// `./run.sh [run]` and `./run.sh test`: build the selected steps and/or the assertions; exit 0 or 1.
import { build } from '../driver/build.js';
import type { CommandContext } from './commands.js';
import { loadSettings, parseVars, type CliSettings } from '../project/config.js';
import { consoleEvents, printSummary } from '../report/console.js';
import { discover } from '../project/discover.js';
import { detectStyle } from '../report/tables.js';
import { planResume } from '../project/resume.js';
import { selectSteps } from '../project/select.js';
import { toJson } from '../report/json.js';
import type { Project, Settings, Step } from '../types.js';

type Flags = CliSettings & { from?: string; to?: string; only?: string; resume?: boolean; json?: boolean };

/** Steps and settings for this run: a selection, a resume of the last run, or everything. */
function plan(project: Project, flags: Flags, settings: Settings, testsOnly: boolean): { steps: readonly Step[]; settings: Settings } {
  if (testsOnly) return { steps: [], settings };
  if (!flags.resume) return { steps: selectSteps(project.steps, flags), settings };
  const resume = planResume(project, flags.db);
  const database = resume.database ?? settings.database;
  return { steps: resume.steps, settings: { ...settings, database, vars: { ...resume.vars, ...parseVars(flags.var ?? []) } } };
}

export async function runCommand({ root, flags }: CommandContext, testsOnly = false): Promise<number> {
  const f = flags as Flags;
  const project = discover(root);
  const { steps, settings } = plan(project, f, loadSettings(root, f), testsOnly);
  const style = f.json ? { color: false } : detectStyle();
  const write = (text: string) => (f.json ? process.stderr : process.stdout).write(`${text}\n`);
  const result = await withCtrlC((signal) => build({ root, project, settings, steps, signal, events: consoleEvents(style, write) }));
  if (f.json) process.stdout.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
  else printSummary(style, write, result);
  return result.status === 'ok' ? 0 : result.status === 'interrupted' ? 130 : 1;
}

/** First Ctrl-C: stop the running step (it rolls back) and finish the logs; a second one exits at once. */
async function withCtrlC<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping: the running step is rolled back (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
