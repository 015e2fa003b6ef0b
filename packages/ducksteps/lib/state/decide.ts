// Whether a step is up to date: the same fingerprint as at its last successful commit, and every table, file
// and script word it read then just as it is now; on a lake, no other author has written since it read. Pure.
import type { StepRecord } from '../changes.js';

/** What is true now, to hold a step's record against. */
export interface Current {
  readonly versions: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, string>>;
  readonly script?: string;
  /** A DuckLake: the last snapshot another author committed. */
  readonly foreign?: number;
}

export type Decision = { readonly upToDate: true } | { readonly upToDate: false; readonly why: string };

const changed = (why: string): Decision => ({ upToDate: false, why });

function sameFiles(recorded: Readonly<Record<string, string>>, now: Readonly<Record<string, string>>) {
  const keys = new Set([...Object.keys(recorded), ...Object.keys(now)]);
  return [...keys].find((k) => recorded[k] !== now[k]);
}

/** The decision for one step, with what changed when it is not up to date. */
export function decide(fingerprint: string, record: StepRecord | undefined, now: Current): Decision {
  if (!record) return changed('it has not committed before');
  if (record.fingerprint !== fingerprint) return changed('its SQL, script or vars changed');
  if (record.snapshot !== undefined && now.foreign !== undefined && now.foreign > record.snapshot)
    return changed('another program wrote the lake since it ran');
  const table = Object.keys(record.inputs.tables).find((t) => (now.versions[t] ?? '') !== record.inputs.tables[t]);
  if (table) return changed(`${table} changed`);
  const file = sameFiles(record.inputs.files, now.files);
  if (file) return changed(`${file} changed`);
  if ((record.inputs.script ?? '') !== (now.script ?? '')) return changed('what its script reads changed');
  return { upToDate: true };
}
