// What a step depends on, from its rendered SQL and the project's lineage: the tables it reads (through views
// and table macros), the files it reads and writes, the tables each statement writes — and why it can never
// be up to date, when nothing recorded could stand for what it reads (the clock, randomness, the environment,
// another database, a file ducksteps cannot stamp, a script that reads what it likes, a table it changes
// without replacing it).
import { ANYTHING, MACROS, stampable, type StatementWrites } from '../changes.js';
import type { Home, ProjectLineage, RenderedFile, Step, StepLineage } from '../model.js';
import { codeOnly } from '../sql/split.js';
import { projectViews, reachedThrough } from '../render/lineage.js';
import { keptTables, statementWrites, tableName } from '../render/statement-writes.js';

/** SQL whose result can change while every table and file it reads stays the same. */
export const CLOCK =
  /\b(now|today|current_date|current_time|current_timestamp|localtime|localtimestamp|get_current_time|get_current_timestamp|transaction_timestamp|random|setseed|uuid\w*|gen_random_uuid|nextval|currval|getenv|current_setting|sql_auto_complete)\s*\(|\bcurrent_(date|time|timestamp)\b/i;
/** Table functions whose rows follow from their arguments (or from files ducksteps stamps). */
const PURE_CALLS = /^(range|generate_series|unnest|read_(csv|parquet|json|ndjson)(_auto|_objects)?)$/i;
const FILE_CALL = /\bread_\w+\s*\(/gi;
const LITERAL_FILE_CALL =
  /\bread_(?:csv|parquet|json|ndjson)(?:_auto|_objects)?\s*\(\s*(?:\[\s*'[^']*'(?:\s*,\s*'[^']*')*\s*\]|'[^']*')/gi;
const COPY_FROM = /\bCOPY\s+[\w."]+(?:\s*\([^)]*\))?\s+FROM\s+'((?:[^']|'')*)'/gi;

/** What a step depends on and changes, for its state. */
export interface StepDependencies {
  /** Why the step always runs, if it does. */
  readonly never?: string;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly files: readonly string[];
  readonly filesWritten: readonly string[];
  readonly statements: Readonly<Record<string, readonly StatementWrites[]>>;
  /** It writes what ducksteps cannot name: every other step's inputs change with it. */
  readonly anything: boolean;
}

/** Why SQL that reads these things cannot be trusted to give the same rows twice, if it cannot. */
function outsideReason(sql: string, lineage: StepLineage, home: Home, views: ReadonlyMap<string, unknown>) {
  const code = codeOnly(sql);
  const clock = code.match(CLOCK);
  if (clock) return `it calls ${clock[1] ?? clock[0]}(): its result changes without its inputs changing`;
  if (/\bATTACH\b/i.test(code)) return 'it attaches another database, whose changes ducksteps does not see';
  const other = lineage.reads.find((t) => t.split('.').length >= 3 && !t.startsWith(`${home.catalog}.`));
  if (other) return `it reads ${other}, in another database whose changes ducksteps does not see`;
  const call = lineage.calls.find((c) => !views.has(c) && !PURE_CALLS.test(tableName(c)));
  if (call) return `it calls ${call}(), whose rows ducksteps cannot tell are unchanged`;
  if ((sql.match(FILE_CALL) ?? []).length > (sql.match(LITERAL_FILE_CALL) ?? []).length)
    return 'it reads a file whose name is not written in its SQL';
  const url = lineage.filesRead.find((f) => !stampable(f));
  if (url) return `it reads ${url}, which ducksteps cannot stamp`;
  return undefined;
}

/** The step's dependencies: from its rendered files (this run's SQL) and the project's lineage. */
export function stepDependencies(
  step: Step,
  files: readonly RenderedFile[],
  lineage: ProjectLineage,
  hasInputs: boolean,
): StepDependencies {
  const home = lineage.home!;
  const own = lineage.get(step.id);
  const known = new Set([...lineage.values()].flatMap((l) => l.writes));
  const texts = files.map((f) => f.sql);
  const perStatement = statementWrites(texts, home, known);
  const statements = Object.fromEntries(files.map((f, i) => [f.file, perStatement[i]]));
  const writes = [...new Set(perStatement.flat().flatMap((w) => (w && w !== 'unknown' ? w.tables : [])))].sort();
  const views = projectViews(lineage.values());
  const reached = own ? reachedThrough(own.reads, own.calls, views) : new Set<string>();
  const reads = [...new Set([...reached, ...writes, ANYTHING, MACROS])].sort();
  const sql = texts.join('\n;\n');
  const copied = [...sql.matchAll(COPY_FROM)].map((m) => m[1].replace(/''/g, "'"));
  const filesRead = [...new Set([...(own?.filesRead ?? []), ...copied])].sort();
  const { kept, unknown } = keptTables(texts, home, known);
  const scripted = step.script !== undefined && !step.local;
  const base = {
    reads,
    writes,
    files: filesRead.filter(stampable),
    filesWritten: (own?.filesWritten ?? []).filter(stampable),
    statements,
    anything: unknown || scripted,
  };
  const never = !own
    ? 'its lineage is unknown'
    : scripted
      ? 'its script works on the warehouse: ducksteps cannot tell what it reads'
      : step.script && !hasInputs
        ? 'its script does not say what it reads (export inputs() from it to let ducksteps skip it)'
        : unknown
          ? 'a statement writes something ducksteps cannot name'
          : kept.length > 0
            ? `it changes ${kept[0]} without replacing it: running it again is not the same as not running it`
            : outsideReason(sql, { ...own, filesRead }, home, views);
  return never ? { ...base, never } : base;
}
