// Which steps `run` and `test` cover, and with which settings: a selection (by name or by lineage), a
// resume of the last run, or everything; and the warning that a partial run leaves readers stale.
import { UsageError } from '../errors.js';
import { lineageOfProject } from '../lineage/project.js';
import { parseVars, type CliSettings } from '../project/config.js';
import { planResume, sameWarehouse } from '../project/resume.js';
import { selectSteps } from '../project/select.js';
import { selectWithLineage, staleReaders } from '../project/select-lineage.js';
import { dependents } from '../render/project-lineage.js';
import type { Project, Settings, Step } from '../model.js';

export type RunFlags = CliSettings & {
  from?: string;
  to?: string;
  only?: string[];
  select?: string[];
  exclude?: string[];
  resume?: boolean;
  json?: boolean;
  verbose?: boolean;
};

const downstream = async (project: Project, settings: Settings) =>
  dependents(await lineageOfProject(project, settings));

/** Steps a partial run leaves stale (they read what it rebuilds); none when the SQL cannot be rendered. */
export async function staleWarnings(project: Project, steps: readonly Step[], settings: Settings): Promise<string[]> {
  try {
    return staleReaders(project.steps, steps, await downstream(project, settings));
  } catch {
    return []; // a template error: the run itself reports it at its file:line
  }
}

/** `test --select X`: the steps whose gating assertions to run (undefined: every assertion). */
export async function testSelection(
  project: Project,
  flags: RunFlags,
  settings: Settings,
): Promise<Step[] | undefined> {
  if (!flags.select && !flags.exclude) return undefined;
  return selectWithLineage(project.steps, flags.select ?? [], flags.exclude ?? [], await downstream(project, settings));
}

/** --full-refresh rebuilds the incremental steps from their first one: a selection without it would be
 * silently not refreshed (a later step works on what the first one loaded). */
function checkFullRefresh(project: Project, steps: readonly Step[], settings: Settings): void {
  if (settings.forgetMissing && !settings.fullRefresh)
    throw new UsageError('--forget-missing only goes with --full-refresh', {
      hint: 'it lets a full refresh rebuild without loaded files that are gone: ./run.sh --full-refresh --forget-missing',
    });
  if (!settings.fullRefresh) return;
  const first = project.steps.find((s) => s.incremental);
  if (!first)
    throw new UsageError('--full-refresh rebuilds incremental steps, and no step is incremental', {
      hint: 'leave it out: every other step rebuilds on each run (incremental steps: docs/batches.md)',
    });
  if (steps.some((s) => s.id === first.id)) return;
  throw new UsageError(
    `--full-refresh rebuilds the incremental steps from their first one, ${first.id}, which this selection leaves out`,
    {
      hint: `include it (e.g. --from ${first.id}, or no selection): a later incremental step works on what ${first.id} loaded, so it cannot be rebuilt alone`,
    },
  );
}

/** Steps and settings for this run: a selection, a resume of the last run, or everything. */
export async function planRun(
  project: Project,
  flags: RunFlags,
  settings: Settings,
): Promise<{ steps: readonly Step[]; settings: Settings; publish?: boolean }> {
  const planned = await choose(project, flags, settings);
  checkFullRefresh(project, planned.steps, planned.settings);
  return planned;
}

async function choose(
  project: Project,
  flags: RunFlags,
  settings: Settings,
): Promise<{ steps: readonly Step[]; settings: Settings; publish?: boolean }> {
  if (flags.select || flags.exclude) {
    const other = (['from', 'to', 'only', 'resume'] as const).find((f) => flags[f] !== undefined);
    if (other)
      throw new UsageError(`--select/--exclude cannot be combined with --${other}`, {
        hint: 'use --select STEP, STEP+ or +STEP alone (see docs/running.md)',
      });
    return {
      steps: selectWithLineage(
        project.steps,
        flags.select ?? [],
        flags.exclude ?? [],
        await downstream(project, settings),
      ),
      settings,
    };
  }
  if (!flags.resume) return { steps: selectSteps(project.steps, flags), settings };
  const picked = (['from', 'to', 'only'] as const).find((f) => flags[f] !== undefined);
  if (picked)
    throw new UsageError(`--resume cannot be combined with --${picked}`, {
      hint: '--resume starts where the last run failed; to choose steps yourself, leave out --resume',
    });
  const resume = planResume(project, flags.db);
  // the log keeps a lake's password masked: the settings give it again when they name the same lake
  const database =
    resume.database && !sameWarehouse(project.root, resume.database, settings.database)
      ? resume.database
      : settings.database;
  return {
    steps: resume.steps,
    settings: { ...settings, database, vars: { ...resume.vars, ...parseVars(flags.var ?? []) } },
    publish: resume.publish,
  };
}
