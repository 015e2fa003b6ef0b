// --select state:modified / state:modified+: the selector replaced by the steps that differ from the state
// target's stored state (and, with +, what reads them: the usual STEP+).
import { UsageError } from '../../errors.js';
import type { Project, Settings } from '../../model.js';
import { stepChecksums } from './checksums.js';
import { modifiedSteps } from './modified.js';
import { readState } from './store.js';

const STATE = /^state:(\w+)(\+?)$/;

export interface StateSelection {
  readonly select: string[]; // the --select values with state:… replaced by step ids
  readonly modified?: ReadonlyMap<string, readonly string[]>; // step id -> why it is modified
  readonly against?: string; // the target compared with (for messages)
}

/** Replaces state:modified[+] in --select values; other values pass unchanged. */
export function expandState(project: Project, settings: Settings, values: readonly string[]): StateSelection {
  const parts = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (!parts.some((p) => STATE.test(p))) return { select: [...values] };
  const bad = parts.map((p) => p.match(STATE)).find((m) => m && m[1] !== 'modified');
  if (bad)
    throw new UsageError(`--select ${bad[0]}: the state selector is state:modified`, {
      hint: 'write --select state:modified or state:modified+',
    });
  const against = settings.state?.target ?? 'this project';
  const modified = modifiedSteps(stepChecksums(project, settings), settings.state && readState(settings.state.logs));
  const select = parts.flatMap((p) => {
    const m = p.match(STATE);
    return m ? [...modified.keys()].map((id) => `${id}${m[2]}`) : [p];
  });
  return { select, modified, against };
}
