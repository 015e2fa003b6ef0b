// --resume: where the last run stopped, with its vars, refusing when that is unsafe or pointless.
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { readLastRun, rowsOfRun } from '../logs/history.js';
import type { Project, Step } from '../model.js';
import { succeeded } from '../results.js';
import { isLake, maskPassword } from '../warehouse.js';

export interface ResumePlan {
  readonly runId: string;
  readonly steps: readonly Step[]; // empty: only the assertions failed, run them again
  readonly vars: Readonly<Record<string, string>>;
  readonly database?: string; // the database the failed run used
  readonly publish: boolean; // deliver the publish targets even when no step is left to run
  readonly partial: boolean; // the run it resumes was given a selection: it does not publish unless asked
}

/** Whether two `database` settings name the same warehouse (logs keep a lake's password masked). */
export const sameWarehouse = (root: string, a: string, b: string): boolean =>
  isLake(a) || isLake(b) ? maskPassword(a) === maskPassword(b) : resolve(root, a) === resolve(root, b);

/** Steps from the first failed or skipped step of the last run to the end, with that run's vars and
 * database, then its assertions and publish targets again (a run whose steps all passed but whose
 * assertions or publish did not resumes with those alone); `--db` given now must name the same database. */
export function planResume(project: Project, db?: string, logs = join(project.root, 'logs')): ResumePlan {
  const last = readLastRun(logs);
  if (!last)
    throw new UsageError('nothing to resume: no earlier run is recorded in logs/', { hint: 'run ./run.sh first' });
  if (db !== undefined && last.database !== undefined && !sameWarehouse(project.root, db, last.database)) {
    throw new UsageError(`cannot resume run ${last.runId} on ${db}: it ran against ${last.database}`, {
      hint: `resume it with ./run.sh --resume (it uses ${last.database}), or run ${db} from the start without --resume`,
    });
  }
  const now = project.steps.map((s) => s.id);
  if (now.join('\n') !== last.steps.join('\n')) {
    const added = now.filter((id) => !last.steps.includes(id));
    const removed = last.steps.filter((id) => !now.includes(id));
    throw new UsageError(
      `cannot resume run ${last.runId}: the steps changed since (added: ${added.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'})`,
      {
        hint: 'run the whole build (./run.sh) or pick steps with --from',
      },
    );
  }
  const rows = rowsOfRun(join(logs, 'run_log.csv'), last.runId);
  const status = new Map(rows.map((r) => [r.step, r.status]));
  const stopped = last.selected.find((id) => !succeeded(status.get(id) ?? ''));
  const published = !rows.some(
    (r) => r.step.startsWith('publish ') && (r.status === 'failed' || r.status === 'interrupted'),
  );
  if (!stopped && status.get('tests') === 'ok' && published && status.get('run') !== 'interrupted') {
    throw new UsageError(`nothing to resume: the last run ${last.runId} succeeded`, {
      hint: 'run ./run.sh to build again',
    });
  }
  let from = stopped ? now.indexOf(stopped) : now.length; // past the last step: only the assertions again
  // an incremental step resumes with the steps it runs with, so the batches after the failed one follow
  // (the ledger skips what each step already committed)
  while (from > 0 && from < now.length && project.steps[from].incremental && project.steps[from - 1].incremental)
    from--;
  return {
    runId: last.runId,
    steps: project.steps.slice(from),
    vars: last.vars,
    database: last.database,
    publish: true,
    partial: last.selected.length < last.steps.length,
  };
}
