// --select / --exclude with the lineage: STEP, STEP+ (and every step downstream), +STEP (and everything it
// depends on), +STEP+; several values union. And the warning that a partial run left a reader stale.
import { UsageError } from '../errors.js';
import { findStep, refuseEmpty } from './select.js';
import type { Step } from '../model.js';

/** Steps reachable from `start` following `edges` (start included). */
function reach(start: string, edges: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const seen = new Set([start]);
  for (const id of seen) for (const next of edges.get(id) ?? []) seen.add(next);
  return seen;
}

/** Reverses "writer -> readers" into "reader -> writers". */
function reverse(edges: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>([...edges.keys()].map((k) => [k, new Set()]));
  for (const [from, tos] of edges) for (const to of tos) out.get(to)?.add(from);
  return out;
}

function expand(
  steps: readonly Step[],
  value: string,
  flag: string,
  downstream: ReadonlyMap<string, ReadonlySet<string>>,
): Set<string> {
  const match = value.trim().match(/^(\+?)([^+]+)(\+?)$/);
  if (!match)
    throw new UsageError(`${flag} "${value}" is not STEP, STEP+, +STEP or +STEP+`, {
      hint: 'e.g. --select 02_staging+ (the step and everything that reads what it builds)',
    });
  const step = findStep(steps, match[2], flag).id;
  const chosen = new Set([step]);
  if (match[3]) reach(step, downstream).forEach((id) => chosen.add(id));
  if (match[1]) reach(step, reverse(downstream)).forEach((id) => chosen.add(id));
  return chosen;
}

/** The steps --select (all when absent) minus --exclude, in step order. */
export function selectWithLineage(
  steps: readonly Step[],
  select: readonly string[],
  exclude: readonly string[],
  downstream: ReadonlyMap<string, ReadonlySet<string>>,
): Step[] {
  refuseEmpty('--select', select);
  refuseEmpty('--exclude', exclude);
  const values = (list: readonly string[]) => list.flatMap((v) => v.split(',')).filter((v) => v.trim());
  const picked = values(select).length
    ? new Set(values(select).flatMap((v) => [...expand(steps, v, '--select', downstream)]))
    : new Set(steps.map((s) => s.id));
  for (const v of values(exclude)) for (const id of expand(steps, v, '--exclude', downstream)) picked.delete(id);
  if (picked.size === 0)
    throw new UsageError('--select/--exclude leave no step to run', { hint: 'see ./run.sh list for the steps' });
  return steps.filter((s) => picked.has(s.id));
}

/** "03_marts reads what 02_staging rebuilds: run --select 02_staging+": one line per stale reader. */
export function staleReaders(
  steps: readonly Step[],
  selected: readonly Step[],
  downstream: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  const ran = new Set(selected.map((s) => s.id));
  const lines: string[] = [];
  for (const step of steps) {
    if (ran.has(step.id)) continue;
    const writer = selected.find((s) => downstream.get(s.id)?.has(step.id));
    if (writer)
      lines.push(
        `${step.id} reads what ${writer.id} rebuilds and did not run: run --select ${writer.id}+ to rebuild it too`,
      );
  }
  return lines;
}
