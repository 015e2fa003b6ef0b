// How a table in the warehouse differs from its declaration: columns added (declared, not in the table),
// removed (in the table, no longer declared), renamed (a `-- renamed: old -> new` line says so), retyped, and
// whether the columns they share are in another order. Pure: the types are already in the engine's spelling.
import type { TableColumn } from '../engines/engine.js';

export interface Declared {
  readonly name: string;
  readonly type: string; // in the engine's spelling
  readonly default?: string;
}

export interface SchemaDiff {
  readonly added: readonly Declared[];
  readonly removed: readonly TableColumn[];
  readonly renamed: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  readonly retyped: ReadonlyArray<{ readonly name: string; readonly from: string; readonly to: string }>;
  /** The columns kept are not in the declared order (after renames). */
  readonly reordered: boolean;
}

const key = (name: string) => name.toLowerCase();

/** `-- renamed: old -> new` lines: old name -> new name (lower case). */
export function renamesOf(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const value of values)
    for (const pair of value.split(',')) {
      const m = pair.match(/^\s*"?([^"\s]+)"?\s*->\s*"?([^"\s]+)"?\s*$/);
      if (m) out.set(key(m[1]), key(m[2]));
    }
  return out;
}

/** The differences between the declared columns and the table's (`renames`: old -> new, lower case). */
export function diffColumns(
  declared: readonly Declared[],
  actual: readonly TableColumn[],
  renames: ReadonlyMap<string, string> = new Map(),
): SchemaDiff {
  const wanted = new Map(declared.map((c) => [key(c.name), c]));
  const have = new Set(actual.map((c) => key(c.name)));
  const renamed = actual
    .filter(
      (c) =>
        !wanted.has(key(c.name)) && wanted.has(renames.get(key(c.name)) ?? '') && !have.has(renames.get(key(c.name))!),
    )
    .map((c) => ({ from: c.name, to: wanted.get(renames.get(key(c.name))!)!.name }));
  const newName = new Map(renamed.map((r) => [key(r.from), key(r.to)]));
  const kept = actual.filter((c) => wanted.has(newName.get(key(c.name)) ?? key(c.name)));
  const retyped = kept
    .map((c) => ({ c, d: wanted.get(newName.get(key(c.name)) ?? key(c.name))! }))
    .filter(({ c, d }) => c.type !== d.type)
    .map(({ c, d }) => ({ name: d.name, from: c.type, to: d.type }));
  const keptNames = new Set(kept.map((c) => newName.get(key(c.name)) ?? key(c.name)));
  const order = (names: readonly string[]) => names.filter((n) => keptNames.has(n)).join(',');
  return {
    added: declared.filter((c) => !keptNames.has(key(c.name))),
    removed: actual.filter((c) => !kept.includes(c)),
    renamed,
    retyped,
    reordered:
      order(declared.map((c) => key(c.name))) !== order(kept.map((c) => newName.get(key(c.name)) ?? key(c.name))),
  };
}

/** Whether the table is as declared. */
export const unchanged = (d: SchemaDiff): boolean =>
  d.added.length + d.removed.length + d.renamed.length + d.retyped.length === 0 && !d.reordered;

/** "added discount DECIMAL(14,2); removed note VARCHAR; retyped qty INTEGER → BIGINT": one phrase per kind. */
export function describeDiff(d: SchemaDiff): string {
  return [
    d.added.length ? `added ${d.added.map((c) => `${c.name} ${c.type}`).join(', ')}` : '',
    d.removed.length ? `removed ${d.removed.map((c) => `${c.name} ${c.type}`).join(', ')}` : '',
    d.renamed.length ? `renamed ${d.renamed.map((r) => `${r.from} → ${r.to}`).join(', ')}` : '',
    d.retyped.length ? `retyped ${d.retyped.map((r) => `${r.name} ${r.from} → ${r.to}`).join(', ')}` : '',
    d.reordered ? 'columns in another order' : '',
  ]
    .filter(Boolean)
    .join('; ');
}
