// logs/manifest.json: what the project is, as the run planned it — its steps with their files and the tables
// and files each reads and writes (through views and table macros), the assertions and the step each gates,
// the inputs with their freshness thresholds, the publish targets, every table with the columns it has and
// where each comes from, and parent_map/child_map (dbt's manifest v12 names where they fit). Its schema:
// schemas/manifest.v1.schema.json.
import type { Step, StepLineage } from '../../model.js';
import type { PlannedRun } from '../../results.js';
import { projectViews, reachedThrough } from '../../render/lineage.js';
import { maskPassword } from '../../warehouse.js';
import { MANIFEST_SCHEMA, metadataOf } from './metadata.js';
import { assertionUniqueId, publishUniqueId, stepUniqueId } from './run-results.js';
import { tablesOf } from './tables.js';

const NONE: StepLineage = { writes: [], reads: [], calls: [], views: {}, filesRead: [], filesWritten: [] };
const seconds = (ms?: number) => (ms === undefined ? null : ms / 1000);

/** The tables (and files) each step reaches when it reads, views and table macros followed. */
function reachOf(planned: PlannedRun): Map<string, Set<string>> {
  const lineage = planned.flow?.lineage ?? new Map<string, StepLineage>();
  const views = projectViews(lineage.values());
  return new Map(
    [...lineage].map(([id, l]) => [id, new Set([...reachedThrough(l.reads, l.calls, views), ...l.filesRead])]),
  );
}

/** Step unique id -> the steps and sources it reads from. */
function stepParents(planned: PlannedRun, reach: Map<string, Set<string>>): Map<string, string[]> {
  const lineage = planned.flow?.lineage ?? new Map<string, StepLineage>();
  const parents = new Map<string, string[]>();
  for (const step of planned.project.steps) {
    const reached = reach.get(step.id) ?? new Set<string>();
    const writers = planned.project.steps.filter((w) => {
      const l = lineage.get(w.id) ?? NONE;
      return w.id !== step.id && [...l.writes, ...l.filesWritten].some((x) => reached.has(x));
    });
    const sources = Object.entries(planned.settings.inputs).filter(([, glob]) => reached.has(glob));
    parents.set(stepUniqueId(step.id), [
      ...writers.map((w) => stepUniqueId(w.id)),
      ...sources.map(([name]) => `source.${name}`),
    ]);
  }
  return parents;
}

function stepNode(planned: PlannedRun, step: Step, parents: readonly string[]) {
  const l = planned.flow?.lineage.get(step.id) ?? NONE;
  return {
    unique_id: stepUniqueId(step.id),
    resource_type: 'step',
    name: step.name,
    number: step.number,
    path: step.dir,
    original_file_paths: step.files,
    script: step.script ?? null,
    incremental: step.incremental,
    local: step.local ?? false,
    selected: planned.steps.some((s) => s.id === step.id),
    depends_on: { nodes: parents },
    reads: l.reads,
    writes: l.writes,
    calls: l.calls,
    views: l.views,
    files_read: l.filesRead,
    files_written: l.filesWritten,
    gated_by: (planned.flow?.gates.get(step.id) ?? []).map((a) => assertionUniqueId(a.name)),
  };
}

/** Assertion unique id -> the step it gates (null: it runs after the steps). */
function gateOf(planned: PlannedRun): Map<string, string> {
  const out = new Map<string, string>();
  for (const [step, list] of planned.flow?.gates ?? []) for (const a of list) out.set(a.name, stepUniqueId(step));
  return out;
}

/** The manifest.json document of a planned run. */
export function manifestOf(planned: PlannedRun, runId: string) {
  const reach = reachOf(planned);
  const parents = stepParents(planned, reach);
  const gates = gateOf(planned);
  const nodes: Record<string, unknown> = {};
  for (const step of planned.project.steps)
    nodes[stepUniqueId(step.id)] = stepNode(planned, step, parents.get(stepUniqueId(step.id)) ?? []);
  for (const a of planned.assertions) {
    const id = assertionUniqueId(a.name);
    const gated = gates.get(a.name) ?? null;
    parents.set(id, gated ? [gated] : []);
    nodes[id] = {
      unique_id: id,
      resource_type: 'assertion',
      name: a.name,
      original_file_path: a.file,
      line: a.line,
      severity: a.severity,
      gates: gated,
      depends_on: { nodes: gated ? [gated] : [] },
    };
  }
  const tables = tablesOf(planned);
  const exposures: Record<string, unknown> = {};
  for (const t of planned.targets) {
    const id = publishUniqueId(t.file);
    const reads = planned.targetReads[t.file] ?? [];
    const writers = [...new Set(reads.flatMap((r) => tables[r]?.written_by ?? []))];
    parents.set(id, writers);
    exposures[id] = {
      unique_id: id,
      resource_type: 'publish',
      name: t.file,
      kind: t.kind,
      destination: t.destination,
      mode: t.mode,
      key: t.key,
      original_file_path: t.file,
      depends_on: { nodes: writers, tables: reads },
    };
  }
  const sources = Object.fromEntries(
    Object.entries(planned.settings.inputs).map(([name, glob]) => {
      const f = planned.settings.freshness?.[name];
      const readBy = planned.project.steps.filter((s) => reach.get(s.id)?.has(glob)).map((s) => stepUniqueId(s.id));
      const freshness = f ? { warn_after_s: seconds(f.warnAfterMs), error_after_s: seconds(f.errorAfterMs) } : null;
      return [
        `source.${name}`,
        { unique_id: `source.${name}`, resource_type: 'source', name, path: glob, freshness, read_by: readBy },
      ];
    }),
  );
  const childMap: Record<string, string[]> = Object.fromEntries(
    [...parents.keys(), ...Object.keys(sources)].map((k) => [k, []]),
  );
  for (const [child, list] of parents) for (const p of list) (childMap[p] ??= []).push(child);
  return {
    metadata: metadataOf(MANIFEST_SCHEMA, runId),
    project: {
      database: maskPassword(planned.settings.database),
      engine: planned.settings.engine ?? (/^ducklake:/i.test(planned.settings.database) ? 'ducklake' : 'duckdb'),
      archive: planned.settings.archive ?? null,
    },
    lineage_known: planned.flow !== undefined,
    nodes,
    sources,
    exposures,
    tables,
    parent_map: Object.fromEntries(parents),
    child_map: childMap,
  };
}
