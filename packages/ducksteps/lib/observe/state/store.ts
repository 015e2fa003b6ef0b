// Each target's state: the checksums of every step as its last successful build of that step left it, in
// <logs>/state/steps.json (logs/state/ for the default target, logs/NAME/state/ for another). A run updates
// the steps it built ok, so the file says what the target's warehouse was built from.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildEvents } from '../../results.js';
import type { StepState } from './checksums.js';

export interface TargetState {
  readonly steps: Readonly<Record<string, StepState & { readonly runId: string }>>;
}

const path = (logs: string) => join(logs, 'state', 'steps.json');

/** A target's stored state (undefined: it has never built a step). */
export function readState(logs: string): TargetState | undefined {
  try {
    return JSON.parse(readFileSync(path(logs), 'utf8')) as TargetState;
  } catch {
    return undefined;
  }
}

/** Events that record, at the run's end, the checksums of the steps it built ok. */
export function stateSubscriber(
  logs: string,
  runId: string,
  checksums: () => Record<string, StepState> | undefined,
): BuildEvents {
  return {
    onRunEnd: (result) => {
      const built = result.steps.filter((s) => s.status === 'ok').map((s) => s.step.id);
      const now = built.length ? checksums() : undefined;
      if (!now) return;
      const steps = { ...readState(logs)?.steps };
      for (const id of built) if (now[id]) steps[id] = { ...now[id], runId };
      mkdirSync(join(logs, 'state'), { recursive: true });
      const temporary = `${path(logs)}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify({ steps }, null, 2)}\n`);
      renameSync(temporary, path(logs));
    },
  };
}
