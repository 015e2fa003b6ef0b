// `./run.sh list --select SEL`: which steps a selection picks and why — for state:modified, which file, script or
// var changed since the state target's last successful build; for a reader, what it reads.
import type { Project, Settings } from '../model.js';
import { lineageOfProject } from '../lineage/project.js';
import { expandState } from '../observe/state/select.js';
import { selectWithLineage } from '../project/select-lineage.js';
import { dependents } from '../render/project-lineage.js';
import { safeJson } from '../report/escape.js';
import { detectStyle, renderTable } from '../report/tables.js';

/** Step id -> why the selection picks it. */
export async function selectionReasons(project: Project, settings: Settings, select: readonly string[]) {
  const downstream = dependents(await lineageOfProject(project, settings));
  const state = expandState(project, settings, select);
  const steps = state.select.length ? selectWithLineage(project.steps, state.select, [], downstream) : [];
  const picked = new Set(steps.map((s) => s.id));
  return steps.map((s) => {
    const changed = state.modified?.get(s.id);
    const writers = project.steps.filter((w) => picked.has(w.id) && downstream.get(w.id)?.has(s.id)).map((w) => w.id);
    const why = changed
      ? `modified vs ${state.against}: ${changed.join('; ')}`
      : writers.length
        ? `reads what ${writers.join(', ')} build${writers.length === 1 ? 's' : ''}`
        : 'selected';
    return { step: s.id, why };
  });
}

/** Prints the selection (as JSON with --json). */
export async function listSelection(project: Project, settings: Settings, select: readonly string[], json: boolean) {
  const rows = await selectionReasons(project, settings, select);
  if (json) return void process.stdout.write(`${safeJson(JSON.stringify({ selected: rows }, null, 2))}\n`);
  if (rows.length === 0) return void process.stdout.write(`no step selected by --select ${select.join(',')}\n`);
  process.stdout.write(
    `${renderTable(
      detectStyle(),
      ['step', 'why it is selected'],
      rows.map((r) => [r.step, r.why]),
    )}\n`,
  );
}
