// What a step does about a table whose declaration changed (docs/schema-changes.md), by its on_schema_change:
// fail (the default) changes nothing and explains; append_new_columns adds new columns; sync_all_columns also
// drops and retypes. Declared renames (`-- renamed: old -> new`) are applied under every policy. A contracted
// table never loses, renames or retypes a column on the way (its readers rely on it). A full-refresh batch
// rebuilds the table as declared instead. Pure: the guard (schema-guard.ts) carries the decision out.
import type { ColumnChange } from '../engines/engine.js';
import type { SchemaPolicy } from '../model.js';
import { describeDiff, type SchemaDiff } from './schema-diff.js';
import type { TableColumn } from '../engines/engine.js';

export interface Situation {
  readonly table: string; // as written
  readonly diff: SchemaDiff;
  readonly actual: readonly TableColumn[];
  readonly declaredOrder: readonly string[];
  readonly policy: SchemaPolicy;
  readonly step: string; // 04_enrich
  readonly file: string; // where the policy line goes
  readonly incremental: boolean;
  readonly fullRefresh: boolean;
  readonly contract: boolean;
  readonly readers: readonly string[];
  readonly reorders: boolean; // the engine can put columns in any order
}

export type Decision =
  | { readonly kind: 'rebuild' }
  | { readonly kind: 'migrate'; readonly changes: readonly ColumnChange[] }
  | { readonly kind: 'refuse'; readonly message: string; readonly hint: string };

const refuse = (message: string, hint: string): Decision => ({ kind: 'refuse', message, hint });
const key = (name: string) => name.toLowerCase();

/** The ways out of a change the policy does not make. */
function waysOut(s: Situation, policy: SchemaPolicy): string {
  const line = `put "-- ducksteps: on_schema_change = ${policy}" in ${s.file}`;
  const rebuild = s.incremental
    ? `rebuild the table and what reads it: ./run.sh --full-refresh --select ${s.step}+`
    : 'or, if the step rebuilds the table on every run, write CREATE OR REPLACE TABLE';
  return `${line} (docs/schema-changes.md), or ${rebuild}`;
}

/** The changes that bring the table to its declaration (renames, drops, retypes, then additions at the end). */
function changesOf(d: SchemaDiff): ColumnChange[] {
  return [
    ...d.renamed.map((r): ColumnChange => ({ kind: 'rename', column: r.from, to: r.to })),
    ...d.removed.map((c): ColumnChange => ({ kind: 'drop', column: c.name })),
    ...d.retyped.map((r): ColumnChange => ({ kind: 'retype', column: r.name, type: r.to })),
    ...d.added.map((c): ColumnChange => ({ kind: 'add', column: c.name, type: c.type, default: c.default })),
  ];
}

/** The column order ALTER TABLE leaves: the kept columns where they are (renamed), new ones last. */
function orderAfter(s: Situation): string[] {
  const renamed = new Map(s.diff.renamed.map((r) => [key(r.from), key(r.to)]));
  const removed = new Set(s.diff.removed.map((c) => key(c.name)));
  return [
    ...s.actual.filter((c) => !removed.has(key(c.name))).map((c) => renamed.get(key(c.name)) ?? key(c.name)),
    ...s.diff.added.map((c) => key(c.name)),
  ];
}

/** What to do about a table that differs from its declaration. */
export function decide(s: Situation): Decision {
  const { diff } = s;
  const what = `${s.table} differs from its CREATE TABLE: ${describeDiff(diff)}`;
  if (s.fullRefresh) return { kind: 'rebuild' };
  const breaking = diff.removed.length + diff.renamed.length + diff.retyped.length > 0;
  if (s.contract && breaking)
    return refuse(
      `${what}, and its columns are a contract${s.readers.length ? ` relied on by ${s.readers.join(', ')}` : ''} (nothing was changed)`,
      `keep the contracted columns as they are (add new ones instead)${s.incremental ? `, or change the readers and rebuild the table with them: ./run.sh --full-refresh --select ${s.step}+` : ', or change the readers and drop -- contract: true for this change'}`,
    );
  const needs = diff.removed.length + diff.retyped.length > 0 ? 'sync_all_columns' : 'append_new_columns';
  const beyondRenames = diff.added.length + diff.removed.length + diff.retyped.length > 0 || diff.reordered;
  if (s.policy === 'fail' && beyondRenames)
    return refuse(`${what} (on_schema_change = fail: nothing was changed)`, waysOut(s, needs));
  if (s.policy === 'append_new_columns' && needs === 'sync_all_columns')
    return refuse(
      `${what} (on_schema_change = append_new_columns only adds columns: nothing was changed)`,
      `declare the column${diff.removed.length + diff.retyped.length > 1 ? 's' : ''} as the table has ${diff.removed.length + diff.retyped.length > 1 ? 'them' : 'it'}, or ${waysOut(s, 'sync_all_columns')}`,
    );
  const after = orderAfter(s);
  if (!s.reorders && after.join(',') !== s.declaredOrder.map(key).join(','))
    return refuse(
      `${what}: ALTER TABLE adds a column only at the end, so the table cannot take the declared order (nothing was changed)`,
      `declare new columns after the existing ones (${after.join(', ')})${s.incremental ? `, or rebuild the table in the new order: ./run.sh --full-refresh --select ${s.step}+` : ''}`,
    );
  return { kind: 'migrate', changes: changesOf(diff) };
}
