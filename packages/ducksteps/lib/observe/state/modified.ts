// state:modified: the steps whose checksums differ from a target's stored state, each with why (which file,
// script or var changed, or new). Pure: it compares two sets of checksums, and reads no warehouse.
import type { StepState } from './checksums.js';
import type { TargetState } from './store.js';

/** Step id -> why it differs from the stored state (steps that do not differ are absent). */
export function modifiedSteps(
  now: Readonly<Record<string, StepState>>,
  stored: TargetState | undefined,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [id, step] of Object.entries(now)) {
    const was = stored?.steps[id];
    const why = was ? changes(step, was) : ['new (not built by that target yet)'];
    if (why.length) out.set(id, why);
  }
  return out;
}

function changes(now: StepState, was: StepState): string[] {
  const why: string[] = [];
  const varChanged = Object.entries(now.vars).some(([n, v]) => n in was.vars && was.vars[n] !== v);
  for (const [file, sum] of Object.entries(now.files))
    if (was.files[file] === undefined) why.push(`${file} added`);
    else if (was.sources?.[file] !== now.sources[file]) why.push(`${file} changed`);
    else if (was.files[file] !== sum && !varChanged)
      why.push(`${file} renders differently (a macro or include changed)`);
  for (const file of Object.keys(was.files)) if (now.files[file] === undefined) why.push(`${file} removed`);
  if (now.script !== was.script)
    why.push(now.script ? (was.script ? 'script changed' : 'script added') : 'script removed');
  for (const [name, value] of Object.entries(now.vars))
    if (name in was.vars && was.vars[name] !== value)
      why.push(`var ${name} changed (${JSON.stringify(was.vars[name])} -> ${JSON.stringify(value)})`);
  return why;
}
