// Which steps `run` and `test` cover, and with which settings: a selection (by name or by lineage), a
// resume of the last run, or everything; and the warning that a partial run leaves readers stale.
import { traitsOf } from '../engines/traits.js';
import { UsageError } from '../errors.js';
import { lineageOfProject } from '../lineage/project.js';
import { parseVars, type CliSettings } from '../project/config.js';
import { planResume, sameWarehouse } from '../project/resume.js';
import { selectSteps } from '../project/select.js';
import { selectWithLineage, staleReaders } from '../project/select-lineage.js';
import { dependents } from '../render/project-lineage.js';
import type { Project, Settings, Step } from '../model.js';
import type { PublishFlags } from '../project/publish-choice.js';
import { expandState } from '../observe/state/select.js';

export type RunFlags = CliSettings &
  PublishFlags & {
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
  const { select } = expandState(project, settings, flags.select ?? []);
  if (select.length === 0 && !flags.exclude) return []; // state:modified with nothing modified: no assertion
  return selectWithLineage(project.steps, select, flags.exclude ?? [], await downstream(project, settings));
}

/** Every step reachable from `ids` through the lineage (readers of readers), `ids` included. */
function readersOf(ids: readonly string[], downstream: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const seen = new Set(ids);
  for (const id of seen) for (const next of downstream.get(id) ?? []) seen.add(next);
  return seen;
}

type Planned = {
  steps: readonly Step[];
  settings: Settings;
  publish?: boolean;
  notices?: string[];
  partial?: boolean;
  nothing?: string; // a selection that selects nothing, said why (state:modified with no change)
};

/** --full-refresh: from the project's first incremental step, the selected incremental steps rebuild from every
 * file of the store; from a later one, the selected incremental steps and the incremental steps reading them
 * (built from their rows) rebuild every batch of the ledger from the tables they read. Says which first. */
async function withFullRefresh(project: Project, planned: Planned): Promise<Planned> {
  const { steps, settings } = planned;
  if (settings.forgetMissing && !settings.fullRefresh)
    throw new UsageError('--forget-missing only goes with --full-refresh', {
      hint: 'it lets a full refresh rebuild without loaded files that are gone: ./run.sh --full-refresh --forget-missing',
    });
  if (!settings.fullRefresh) return planned;
  const first = project.steps.find((s) => s.incremental);
  if (!first)
    throw new UsageError('--full-refresh rebuilds incremental steps, and no step is incremental', {
      hint: 'leave it out: every other step rebuilds on each run (incremental steps: docs/batches.md)',
    });
  const chosen = steps.filter((s) => s.incremental);
  if (chosen.length === 0)
    throw new UsageError('--full-refresh rebuilds incremental steps, and this selection has none', {
      hint: `select one and what reads it, e.g. --full-refresh --select ${first.id}+`,
    });
  const ids = (list: readonly Step[]) => list.map((s) => s.id).join(', ');
  if (chosen[0].id === first.id)
    return {
      ...planned,
      notices: [
        `full refresh: ${ids(chosen)} rebuild${chosen.length === 1 ? 's' : ''} from every file in landing and the archive`,
      ],
    };
  if (settings.forgetMissing)
    throw new UsageError(`--forget-missing goes with a full refresh from the files (from ${first.id})`, {
      hint: `a refresh from ${chosen[0].id} reads tables, not files: leave --forget-missing out`,
    });
  const reach = readersOf(
    chosen.map((s) => s.id),
    await downstream(project, settings),
  );
  const added = project.steps.filter((s) => s.incremental && reach.has(s.id) && !steps.includes(s));
  const all = project.steps.filter((s) => steps.includes(s) || added.includes(s));
  const group = all.filter((s) => s.incremental);
  const kept = project.steps.filter((s) => s.incremental && s.number < chosen[0].number);
  const notices = [
    `full refresh: ${ids(group)} rebuild${group.length === 1 ? 's' : ''} every batch of the ledger from the tables ${group.length === 1 ? 'it reads' : 'they read'}; ${ids(kept)} keep${kept.length === 1 ? 's' : ''} ${kept.length === 1 ? 'its' : 'their'} tables`,
    ...(added.length
      ? [`${ids(added)} rebuild${added.length === 1 ? 's' : ''} too: built from the rows of ${ids(chosen)}`]
      : []),
  ];
  return { ...planned, steps: all, notices };
}

/** Steps and settings for this run: a selection, a resume of the last run, or everything; `notices` say what
 * a full refresh rebuilds. */
export async function selectRun(project: Project, flags: RunFlags, settings: Settings): Promise<Planned> {
  const chosen = await choose(project, flags, settings);
  if (chosen.nothing) return chosen;
  const planned = await withFullRefresh(project, chosen);
  checkDefer(planned.steps, planned.settings);
  return planned;
}

/** --defer builds plain steps on a DuckDB file or a DuckLake: an incremental step's batches are in the ledger
 * of the target that loaded them, and an engine that cannot attach another warehouse (engines/traits.ts) refuses. */
function checkDefer(steps: readonly Step[], settings: Settings): void {
  const { defer } = settings;
  if (!defer) return;
  const engine = traitsOf(settings.engine);
  if (!engine.defers)
    throw new UsageError(`--defer ${defer.target} is not supported on ${engine.title}`, {
      hint: 'run the selection against a full copy of the upstream tables, or build the target in full (docs/environments.md)',
    });
  const incremental = steps.find((s) => s.incremental);
  if (incremental)
    throw new UsageError(
      `--defer ${defer.target} cannot build ${incremental.id}: it is incremental, and its batches are in the ledger of the target that loaded them`,
      {
        hint: `build it on a target of its own without --defer, or leave it out of the selection (docs/environments.md)`,
      },
    );
}

async function choose(project: Project, flags: RunFlags, settings: Settings): Promise<Planned> {
  if (flags.select || flags.exclude) {
    const other = (['from', 'to', 'only', 'resume'] as const).find((f) => flags[f] !== undefined);
    if (other)
      throw new UsageError(`--select/--exclude cannot be combined with --${other}`, {
        hint: 'use --select STEP, STEP+ or +STEP alone (see docs/running.md)',
      });
    const state = expandState(project, settings, flags.select ?? []);
    if (state.modified?.size === 0 && state.select.length === 0)
      return {
        steps: [],
        settings,
        partial: true,
        nothing: `state:modified: no step differs from ${state.against}'s last successful build`,
      };
    return {
      steps: selectWithLineage(project.steps, state.select, flags.exclude ?? [], await downstream(project, settings)),
      settings,
      partial: true,
    };
  }
  if (!flags.resume)
    return {
      steps: selectSteps(project.steps, flags),
      settings,
      partial: (['from', 'to', 'only'] as const).some((f) => flags[f] !== undefined),
    };
  const picked = (['from', 'to', 'only'] as const).find((f) => flags[f] !== undefined);
  if (picked)
    throw new UsageError(`--resume cannot be combined with --${picked}`, {
      hint: '--resume starts where the last run failed; to choose steps yourself, leave out --resume',
    });
  const resume = planResume(project, flags.db, settings.logs);
  // the log keeps a lake's password masked: the settings give it again when they name the same lake
  const database =
    resume.database && !sameWarehouse(project.root, resume.database, settings.database)
      ? resume.database
      : settings.database;
  return {
    steps: resume.steps,
    settings: { ...settings, database, vars: { ...resume.vars, ...parseVars(flags.var ?? []) } },
    publish: resume.publish,
    partial: resume.partial,
  };
}
