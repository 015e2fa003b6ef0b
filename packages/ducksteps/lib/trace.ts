// Opt-in timeline for profiling: DUCKSTEPS_TRACE=FILE makes the driver and every worker append one JSON line
// per mark ({ pid, t: epoch ms, label }). Off by default, when a mark costs one property lookup.
import { appendFileSync } from 'node:fs';

const file = process.env.DUCKSTEPS_TRACE;
let started = false;

export function mark(label: string): void {
  if (!file) return;
  const line = (at: number, what: string) =>
    `${JSON.stringify({ pid: process.pid, t: Math.round(at * 10) / 10, label: what })}\n`;
  if (!started) appendFileSync(file, line(performance.timeOrigin, 'process start'));
  started = true;
  appendFileSync(file, line(performance.timeOrigin + performance.now(), label));
}
