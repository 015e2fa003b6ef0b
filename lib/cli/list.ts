// `./run.sh list`: the steps with their files, script, and last status and duration from the logs.
import { join } from 'node:path';
import type { CommandContext } from './commands.js';
import { discover } from '../project/discover.js';
import { readLog } from '../logs/history.js';
import { detectStyle, formatDuration, formatStatus, renderTable } from '../report/tables.js';

export async function listCommand({ root, flags }: CommandContext): Promise<number> {
  const project = discover(root);
  const last = new Map(readLog(join(root, 'logs', 'run_log.csv')).map((r) => [r.step, r]));
  const steps = project.steps.map((s) => ({
    number: s.number, step: s.id, files: s.files.length, script: Boolean(s.script),
    last_status: last.get(s.id)?.status ?? null, last_duration_ms: last.has(s.id) ? Number(last.get(s.id)!.duration_ms) : null,
  }));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ steps, tests: project.testFiles }, null, 2)}\n`);
    return 0;
  }
  const style = detectStyle();
  const rows = steps.map((s) => [
    s.number, s.step, s.files, s.script ? 'yes' : 'no',
    s.last_status ? formatStatus(style, s.last_status) : '-', s.last_duration_ms === null ? '-' : formatDuration(s.last_duration_ms),
  ]);
  process.stdout.write(`${renderTable(style, ['#', 'step', 'sql files', 'script', 'last status', 'last duration'], rows)}\n`);
  process.stdout.write(`${project.testFiles.length} assertion files in tests/\n`);
  return 0;
}
