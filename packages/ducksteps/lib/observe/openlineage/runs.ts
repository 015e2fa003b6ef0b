// OpenLineage run ids, and the runs a ducksteps run has started and not yet ended. Run ids are UUIDs derived
// from the ducksteps run id (and step and batch), so the next run can end the runs of one that was killed: it
// finds them in logs/openlineage-open/<run id>.json and sends their ABORT.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A name-based UUID (version 5 layout, SHA-1) of `text`: the same text, the same id. */
export function runUuid(text: string): string {
  const b = createHash('sha1').update(`ducksteps:${text}`).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A started OpenLineage run: its id and job; `step` runs have the build's run as parent. */
export interface OpenRun {
  readonly runId: string;
  readonly job: string;
  readonly step: boolean;
}

const pathOf = (logsDir: string, runId: string) => join(logsDir, 'openlineage-open', `${runId}.json`);

/** Records the runs ducksteps run `runId` has open (none: the record is removed). */
export function recordOpen(logsDir: string, runId: string, open: readonly OpenRun[]): void {
  try {
    if (open.length === 0) return rmSync(pathOf(logsDir, runId), { force: true });
    mkdirSync(join(logsDir, 'openlineage-open'), { recursive: true });
    writeFileSync(pathOf(logsDir, runId), JSON.stringify(open));
  } catch {
    // without the record a killed run's runs stay open in the consumer; the run itself goes on
  }
}

/** The runs a (killed) ducksteps run left open. */
export function readOpen(logsDir: string, runId: string): OpenRun[] {
  try {
    return JSON.parse(readFileSync(pathOf(logsDir, runId), 'utf8')) as OpenRun[];
  } catch {
    return [];
  }
}
