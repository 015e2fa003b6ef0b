// Prints a DUCKSTEPS_TRACE timeline: ms since the driver's process start, per process.
//   node --import tsx bench/trace.ts FILE
import { readFileSync } from 'node:fs';

export interface Mark {
  readonly pid: number;
  readonly t: number;
  readonly label: string;
}

export const readTrace = (file: string): Mark[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Mark);

export function timeline(marks: readonly Mark[]): string {
  const t0 = marks[0].t;
  const names = new Map<number, string>();
  for (const m of marks) if (!names.has(m.pid)) names.set(m.pid, names.size === 0 ? 'driver' : `worker ${names.size}`);
  return marks
    .slice()
    .sort((a, b) => a.t - b.t)
    .map((m) => `${(m.t - t0).toFixed(0).padStart(6)} ms  ${names.get(m.pid)!.padEnd(9)} ${m.label}`)
    .join('\n');
}

if (process.argv[1] === import.meta.filename) console.log(timeline(readTrace(process.argv[2])));
