// --defer, on the driver: which tables each selected step reads that the run does not build — those its worker
// reads from the deferred-to target (worker/defer.ts). From the lineage: what a step reads (through views too),
// minus what any selected step writes; names in another catalog, and the ledger's own tables, are left alone.
import type { ProjectLineage, Settings, Step } from '../model.js';

/** Step id -> the tables it reads from the deferred-to target (none without --defer or without a lineage). */
export function deferredReads(
  settings: Pick<Settings, 'defer'>,
  steps: readonly Step[],
  lineage: ProjectLineage | undefined,
): ReadonlyMap<string, readonly string[]> | undefined {
  if (!settings.defer || !lineage) return undefined;
  const built = new Set(steps.flatMap((s) => lineage.get(s.id)?.writes ?? []));
  const own = (name: string) => name.split('.').length <= 2 && !name.startsWith('ducksteps.');
  return new Map(
    steps.map((s) => {
      const l = lineage.get(s.id);
      const reads = [...(l?.reads ?? [])].filter((t) => own(t) && !built.has(t));
      return [s.id, [...new Set(reads)].sort()];
    }),
  );
}
