// Inside the step's transaction, just before each statement: a `CREATE TABLE IF NOT EXISTS t (columns)` whose
// table exists and differs from the declaration is handled by the step's on_schema_change (schema-policy.ts)
// before the statement runs — migrated, rebuilt by a full refresh, or refused at the CREATE's file:line —
// instead of DuckDB's "table t has 16 columns but 17 values were supplied" at a later INSERT. Every table
// declared this way is remembered: its schema version is recorded and its contract checked before COMMIT.
import type { Session, SchemaSupport } from '../engines/engine.js';
import { SchemaError } from '../errors.js';
import type { SchemaPolicy } from '../model.js';
import { declarationOf, type TableDeclaration } from '../sql/column-list.js';
import { readDirectives } from '../sql/directives.js';
import { describeDiff, diffColumns, renamesOf, unchanged, type SchemaDiff } from './schema-diff.js';
import { decide } from './schema-policy.js';
import { sqlMessage } from './sql-error.js';

/** A table the step declared, where, and what this step changed about its columns. */
export interface SeenTable {
  readonly declaration: TableDeclaration;
  readonly file: string;
  readonly line: number;
  change?: string; // 'created', 'added discount DECIMAL(14,2)', 'rebuilt by a full refresh: …'
}

export interface GuardOptions {
  readonly policy: SchemaPolicy;
  readonly step: string;
  readonly incremental: boolean;
  readonly fullRefresh: boolean;
  readonly readers: Readonly<Record<string, readonly string[]>>; // table -> steps and publish targets reading it
  readonly contracted: ReadonlySet<string>; // tables the step's contract.yaml covers
}

/** Refuses a retype a value would not survive, naming the column and the value. */
async function checkCasts(schema: SchemaSupport, name: string, table: string, diff: SchemaDiff): Promise<void> {
  const before = new Map(diff.renamed.map((r) => [r.to.toLowerCase(), r.from]));
  for (const r of diff.retyped) {
    const bad = await schema.unconvertible(name, before.get(r.name.toLowerCase()) ?? r.name, r.to);
    if (bad !== undefined)
      throw new SchemaError(
        `cannot retype ${table}.${r.name} from ${r.from} to ${r.to}: the value '${bad}' does not convert (the step was rolled back: the table keeps its columns)`,
        { hint: `keep ${r.name} ${r.from}, or fix that value (and any like it) first` },
      );
  }
}

/** What the statements' hook needs to handle one declaration against the table as it is. */
async function handle(session: Session, schema: SchemaSupport, seen: SeenTable, o: GuardOptions, statement: string) {
  const { declaration: d } = seen;
  const actual = await schema.columns(d.name);
  if (!actual) return void (seen.change = 'created');
  if (!d.ifNotExists) return; // a plain CREATE TABLE of an existing table: the engine says it exists
  const types = await schema.spell(d.columns.map((c) => c.type)).catch(() => undefined);
  if (!types) return; // a type the engine does not know: the statement fails on its own, at its line
  const declared = d.columns.map((c, i) => ({ name: c.name, type: types[i], default: c.default }));
  const renamed = readDirectives(statement).filter((x) => x.key === 'renamed');
  const diff = diffColumns(declared, actual, renamesOf(renamed.map((x) => x.value)));
  if (unchanged(diff)) return;
  const decision = decide({
    ...o,
    table: d.table,
    diff,
    actual,
    declaredOrder: d.columns.map((c) => c.name),
    file: seen.file,
    contract: d.contract || o.contracted.has(d.table),
    readers: o.readers[d.table] ?? [],
    reorders: schema.reorders,
  });
  if (decision.kind === 'refuse') throw new SchemaError(decision.message, { hint: decision.hint });
  if (decision.kind === 'rebuild') {
    await session.run(`DROP TABLE ${d.name}`); // the statement creates it again, as declared
    return void (seen.change = `rebuilt by a full refresh: ${describeDiff(diff)}`);
  }
  await checkCasts(schema, d.name, d.table, diff);
  await schema
    .migrate(
      d.name,
      decision.changes,
      declared.map((c) => c.name),
    )
    .catch((error: unknown) => {
      throw new SchemaError(`cannot change ${d.table} (${describeDiff(diff)}): ${sqlMessage(error).split('\n')[0]}`, {
        hint: `the step was rolled back; change the table by hand, or rebuild it${o.incremental ? `: ./run.sh --full-refresh --select ${o.step}+` : ''}`,
      });
    });
  seen.change = describeDiff(diff);
}

/** The hook run before each statement of the step, and the tables it saw declared. */
export function schemaGuard(session: Session, options: GuardOptions) {
  const seen: SeenTable[] = [];
  return {
    seen,
    async before(statement: string, file: string, line: number): Promise<void> {
      const declaration = declarationOf(statement);
      if (!declaration || !session.schema) return;
      const entry: SeenTable = { declaration, file, line };
      seen.push(entry);
      await handle(session, session.schema, entry, options, statement);
    },
  };
}

export type SchemaGuard = ReturnType<typeof schemaGuard>;
