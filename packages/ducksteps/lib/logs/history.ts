// Reads what earlier runs left in logs/: the CSV logs, and logs/last_run.json for --resume.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { firstLine, parseCsv, readAt } from './csv.js';
import { recordRun, warehouseKey } from './run-warehouses.js';
import { writeLog } from './write.js';
import type { Dialect, Project, Settings, Step } from '../model.js';
import type { RunStart } from '../results.js';
import { maskPassword } from '../warehouse.js';

export type LogRow = Readonly<Record<string, string>>;

const records = (header: readonly string[] | undefined, rows: readonly string[][]): LogRow[] =>
  header ? rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']))) : [];

/** Rows of a CSV log as records keyed by the header; [] when the file does not exist. */
export function readLog(path: string): LogRow[] {
  if (!existsSync(path)) return [];
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return records(header, rows);
}

/** A log record starts a line with its run id (newRunId: 20261121T061502Z-3f9a). */
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{4}$/;
const RECORD_START = /\n(?=\d{8}T\d{6}Z-[0-9a-f]{4},)/g;

/** The rows of a chunk read from the middle of a log: parsed from the first line that starts a record. A
 * line inside a quoted cell can look like one; a parse from there gives rows of the wrong shape, so the
 * next candidate is tried. */
function recordsFrom(text: string, header: readonly string[]): string[][] | undefined {
  for (const match of text.matchAll(RECORD_START)) {
    const rows = parseCsv(text.slice(match.index + 1));
    if (rows.every((r) => r.length === header.length && RUN_ID.test(r[0]))) return rows;
  }
  return undefined;
}

/** The last rows of a CSV log, in file order: read backwards in growing chunks until `enough(rows)` (given
 * the rows of the chunk, the first of them possibly not its run's first) or the whole file is read. The
 * logs grow with every run; the report and `logs` need only their end. */
export function readLogTail(
  path: string,
  enough: (rows: readonly LogRow[]) => boolean,
  firstChunk = 32 * 1024,
): LogRow[] {
  if (!existsSync(path)) return [];
  const size = statSync(path).size;
  const header = parseCsv(firstLine(path))[0];
  const fd = openSync(path, 'r');
  try {
    for (let chunk = firstChunk; chunk < size; chunk *= 4) {
      const found = header && recordsFrom(readAt(fd, size - chunk, chunk), header);
      if (!found) continue;
      const rows = records(header, found);
      if (enough(rows)) return rows;
    }
  } finally {
    closeSync(fd);
  }
  return readLog(path);
}

/** A run's rows in a log: the tail back to the first row of an earlier run (run ids sort by time). */
export const rowsOfRun = (path: string, runId: string): LogRow[] =>
  readLogTail(path, (rows) => rows.length > 0 && rows[0].run_id < runId).filter((r) => r.run_id === runId);

/** What --resume needs to know about the latest run. */
export interface LastRun {
  readonly runId: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly steps: readonly string[]; // every step id of the project at that time
  readonly selected: readonly string[]; // the steps that run meant to run
  readonly database?: string; // the --db it ran against (as given, project-relative or absolute)
  readonly engine?: Dialect; // --engine (on a cluster, database names the ledger's store)
  readonly command?: string; // the command line, for the report
}

export const lastRunPath = (logs: string) => join(logs, 'last_run.json');

/** Writes last_run.json in the target's logs folder, and records which warehouse the run runs against
 * (runs.csv there); `root`: the project, which warehouse paths are named relative to. */
export function writeLastRun(logs: string, run: LastRun, root = dirname(logs)): void {
  mkdirSync(logs, { recursive: true });
  writeLog(lastRunPath(logs), `${JSON.stringify(run, null, 2)}\n`);
  recordRun(logs, run.runId, warehouseKey(root, run.database ?? 'data/warehouse.duckdb', run.engine));
}

/** The latest run recorded in a logs folder (logs/ or logs/TARGET/). */
export function readLastRun(logs: string): LastRun | undefined {
  try {
    return JSON.parse(readFileSync(lastRunPath(logs), 'utf8')) as LastRun;
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

/** A run's id, sortable and unique enough: 20261121T061502Z-3f9a. */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const suffix = Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${stamp}-${suffix}`;
}

/** What --resume needs of a run: its vars, steps and selection, the database, the command line (passwords
 * masked). */
export const resumeOf = (project: Project, settings: Settings, runId: string, steps: readonly Step[]): RunStart => ({
  runId,
  vars: settings.vars,
  steps: project.steps.map((s) => s.id),
  selected: steps.map((s) => s.id),
  database: maskPassword(settings.database),
  engine: settings.engine,
  command: maskPassword(['./run.sh', ...process.argv.slice(2)].join(' ')),
});
