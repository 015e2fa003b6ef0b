// The manifest's tables: every table a step writes, which steps write and read it (views and table macros
// followed), its columns and where each comes from (column lineage, when it could be computed), and what the
// column lineage could not resolve.
import type { PlannedRun } from '../../results.js';
import { projectViews, reachedThrough } from '../../render/lineage.js';
import { stepUniqueId } from './run-results.js';

export interface ManifestTable {
  readonly name: string;
  readonly written_by: string[];
  readonly read_by: string[];
  readonly columns: Array<{ name: string; type: string | null; from: Array<{ source: string; how: string }> }> | null;
  readonly unresolved: readonly string[];
}

/** Table name -> what the manifest says of it. */
export function tablesOf(planned: PlannedRun): Record<string, ManifestTable> {
  const lineage = planned.flow?.lineage;
  const tables: Record<string, ManifestTable> = {};
  if (!lineage) return tables;
  const views = projectViews(lineage.values());
  const entry = (name: string) => {
    const columns = planned.columns?.get(name);
    return (tables[name] ??= {
      name,
      written_by: [],
      read_by: [],
      columns: columns
        ? columns.columns.map((c) => ({ name: c.column, type: c.type ?? null, from: c.from.map((f) => ({ ...f })) }))
        : null,
      unresolved: columns?.unresolved ?? [],
    });
  };
  for (const [id, l] of lineage) for (const t of l.writes) entry(t).written_by.push(stepUniqueId(id));
  for (const [id, l] of lineage)
    for (const t of reachedThrough(l.reads, l.calls, views)) if (tables[t]) tables[t].read_by.push(stepUniqueId(id));
  return tables;
}
