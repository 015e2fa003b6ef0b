// Reads what earlier runs left in logs/: the CSV logs, and logs/last_run.json for --resume.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from './csv.js';

export type LogRow = Readonly<Record<string, string>>;

/** Rows of a CSV log as records keyed by the header; [] when the file does not exist. */
export function readLog(path: string): LogRow[] {
  if (!existsSync(path)) return [];
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return header ? rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) : [];
}

/** What --resume needs to know about the latest run. */
export interface LastRun {
  readonly runId: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly steps: readonly string[]; // every step id of the project at that time
  readonly selected: readonly string[]; // the steps that run meant to run
  readonly database?: string; // the --db it ran against (as given, project-relative or absolute)
  readonly command?: string; // the command line, for the report
}

export const lastRunPath = (root: string) => join(root, 'logs', 'last_run.json');

export function writeLastRun(root: string, run: LastRun): void {
  mkdirSync(join(root, 'logs'), { recursive: true });
  writeFileSync(lastRunPath(root), `${JSON.stringify(run, null, 2)}\n`);
}

export function readLastRun(root: string): LastRun | undefined {
  try {
    return JSON.parse(readFileSync(lastRunPath(root), 'utf8')) as LastRun;
  } catch {
    return undefined;
  }
}

/** Median of numbers (undefined for none). */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
