// Which steps a run covers: --from, --to, --only by number, name or folder name.
import { UsageError } from '../errors.js';
import type { Step } from '../model.js';

export interface Selection {
  readonly from?: string;
  readonly to?: string;
  readonly only?: readonly string[];
}

/** A selector flag given with nothing in it (`--select "$STEP"` with STEP unset) must not mean "everything". */
export function refuseEmpty(flag: string, values: readonly (string | undefined)[] | undefined): void {
  if (
    values === undefined ||
    values.length === 0 ||
    values.some((v) => v !== undefined && v.split(',').some((p) => p.trim() !== ''))
  )
    return;
  throw new UsageError(`${flag} is empty (an unset shell variable?)`, {
    hint: `name a step (see ./run.sh list), or leave out ${flag} to run every step`,
  });
}

/** The step a selector names: "3", "03", "quality" or "03_quality". */
export function findStep(steps: readonly Step[], selector: string, flag: string): Step {
  const wanted = selector.trim();
  const found = /^\d+$/.test(wanted)
    ? steps.find((s) => s.number === Number(wanted))
    : steps.find((s) => s.id === wanted || s.name === wanted);
  if (found) return found;
  const near = steps.find((s) => s.name.includes(wanted) || wanted.includes(s.name));
  throw new UsageError(`${flag} ${selector}: no such step`, {
    hint: near ? `did you mean ${near.id}?` : `steps: ${steps.map((s) => s.id).join(', ') || '(none)'}`,
  });
}

/** The steps to run, in order; everything when nothing is selected. */
export function selectSteps(steps: readonly Step[], selection: Selection): readonly Step[] {
  refuseEmpty('--only', selection.only);
  if (selection.from !== undefined) refuseEmpty('--from', [selection.from]);
  if (selection.to !== undefined) refuseEmpty('--to', [selection.to]);
  if (selection.only?.length) {
    if (selection.from || selection.to) throw new UsageError('--only cannot be combined with --from or --to');
    const chosen = new Set(selection.only.flatMap((o) => o.split(',')).map((o) => findStep(steps, o, '--only')));
    return steps.filter((s) => chosen.has(s)); // several --only: their union, in step order
  }
  const first = selection.from ? steps.indexOf(findStep(steps, selection.from, '--from')) : 0;
  const last = selection.to ? steps.indexOf(findStep(steps, selection.to, '--to')) : steps.length - 1;
  if (last < first) throw new UsageError(`--to ${selection.to} comes before --from ${selection.from}`);
  return steps.slice(first, last + 1);
}
