// `./run.sh list`: the steps with their files, script, incremental or not, last status and duration;
// then the declared inputs with their loaded and pending files.
import { join } from 'node:path';
import type { CommandContext } from './context.js';
import { inputStates } from '../incremental/pending.js';
import { formatAge, freshnessLine } from '../incremental/freshness.js';
import type { InputFreshness } from '../results.js';
import { displayPlan } from '../run/plan-inputs.js';
import { ungated } from '../plan/plan.js';
import { loadSettings, type CliSettings } from '../project/config.js';
import { discover } from '../project/discover.js';
import { readLog } from '../logs/history.js';
import { detectStyle, formatDuration, paintedStatus, renderTable } from '../report/tables.js';
import { safeJson } from '../report/escape.js';
import { logsOf } from '../warehouse.js';
import { listSelection } from './list-selection.js';
import { toldNoSteps } from './no-steps.js';

const SHOWN = 5;

/** The first names of a list, then how many more. */
const shorten = (names: readonly string[]) =>
  names.length === 0 ? '-' : `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` (+${names.length - 3} more)` : ''}`;

/** The age of an input's newest file, and its freshness status when it has thresholds. */
const freshnessCell = (f: InputFreshness) =>
  f.ageMs === undefined
    ? f.status === 'none'
      ? 'none yet (late)'
      : '-'
    : `${formatAge(f.ageMs)} old${f.warnAfterMs !== undefined || f.errorAfterMs !== undefined ? ` (${f.status === 'pass' ? 'fresh' : f.status === 'warn' ? 'late: warn' : 'late: error'})` : ''}`;

export async function listCommand({ root, flags }: CommandContext): Promise<number> {
  const settings = loadSettings(root, flags as CliSettings, { cluster: false });
  const project = discover(root, settings.engine);
  if (Array.isArray(flags.select)) {
    await listSelection(project, settings, flags.select, flags.json === true);
    return 0;
  }
  if (!flags.json && toldNoSteps(project)) return 0;
  const plan = await displayPlan(project, settings).catch(() => undefined); // gates are shown when they can be planned
  const after = plan?.flow ? ungated(plan) : [];
  const gatedBy = (id: string) => (plan?.flow?.gates.get(id) ?? []).map((a) => a.name);
  const last = new Map(readLog(join(logsOf(root, settings), 'run_log.csv')).map((r) => [r.step, r]));
  const steps = project.steps.map((s) => ({
    number: s.number,
    step: s.id,
    files: s.files.length,
    script: Boolean(s.script),
    incremental: s.incremental,
    gated_by: gatedBy(s.id),
    last_status: last.get(s.id)?.status ?? null,
    last_duration_ms: last.has(s.id) ? Number(last.get(s.id)!.duration_ms) : null,
  }));
  const inputs = await inputStates(root, settings);
  if (flags.json) {
    process.stdout.write(
      `${safeJson(JSON.stringify({ steps, tests: project.testFiles, after_steps: after.map((a) => a.name), inputs }, null, 2))}\n`,
    );
    return 0;
  }
  const style = detectStyle();
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const rows = steps.map((s) => [
    s.number,
    s.step,
    s.files,
    yes(s.script),
    yes(s.incremental),
    s.last_status ? paintedStatus(style, s.last_status) : '-',
    s.last_duration_ms === null ? '-' : formatDuration(s.last_duration_ms),
    shorten(s.gated_by),
  ]);
  process.stdout.write(
    `${renderTable(style, ['#', 'step', 'sql files', 'script', 'incremental', 'last status', 'last duration', 'gated by'], rows)}\n`,
  );
  process.stdout.write(
    `${project.testFiles.length} assertion files in tests/${after.length ? `; after the steps: ${shorten(after.map((a) => a.name))}` : ''}\n`,
  );
  if (inputs.length > 0) {
    const inputRows = inputs.map((i) => {
      const more = i.pending.length > SHOWN ? ` (+${i.pending.length - SHOWN} more)` : '';
      return [
        i.input,
        i.glob,
        i.loaded,
        i.archived,
        i.pending.length,
        i.pending.length ? `${i.pending.slice(0, SHOWN).join(', ')}${more}` : '-',
        freshnessCell(i.freshness),
      ];
    });
    process.stdout.write(
      `${renderTable(style, ['input', 'glob', 'loaded', 'archived', 'pending', 'pending files', 'newest file'], inputRows)}\n`,
    );
    for (const i of inputs)
      if (i.freshness.status !== 'pass') process.stdout.write(`! ${freshnessLine(i.freshness)}\n`);
    for (const i of inputs)
      for (const name of i.badNames)
        process.stdout.write(`! ${i.input}: ${name} cannot be loaded: its name is not valid UTF-8 (rename it)\n`);
  }
  return 0;
}
