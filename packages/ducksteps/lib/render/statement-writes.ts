// What each statement of a step writes, and how (adds rows, removes some, defines the table anew), in the
// order the worker runs them: what a step's transaction records as new table versions, whether a write only
// added rows (batch-scoped checks), and whether a step replaces every table it writes before touching it
// (running it again gives what it gave: it may be skipped when nothing it reads changed).
import { MACROS, type StatementWrites, type WriteKind } from '../changes.js';
import type { Home } from '../model.js';
import { codeOnly } from '../sql/split.js';
import { changedIn, createdIn, resolver, statementsOf, temporaries, type Known } from './lineage.js';
import { nameParts, NameScope } from './names.js';

/** Statements that change no table (or only the session): nothing to record. */
const HARMLESS =
  /^\(?\s*(SELECT|WITH|FROM|VALUES|TABLE|SET|RESET|PRAGMA|EXPLAIN|DESCRIBE|SHOW|SUMMARIZE|LOAD|INSTALL|USE|CHECKPOINT|FORCE\s+CHECKPOINT|VACUUM|ANALYZE|DETACH|ATTACH|COPY\s*\(|CREATE\s+(OR\s+REPLACE\s+)?(TEMP|TEMPORARY)\b|CREATE\s+(OR\s+REPLACE\s+)?(PERSISTENT\s+|TEMPORARY\s+)?SECRET\b|CREATE\s+(UNIQUE\s+)?INDEX\b|CREATE\s+SCHEMA\b|DROP\s+(SCHEMA|INDEX|SECRET)\b|DROP\s+(TEMP|TEMPORARY)\b)/i;
/** A scalar macro or function kept in the warehouse: MACROS changes. */
const SCALAR_MACRO =
  /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:MACRO|FUNCTION)\s+(?:IF\s+NOT\s+EXISTS\s+)?[^(]+\([^)]*\)\s*AS\s+(?!TABLE\b)/i;

/** How a statement (comments and strings blanked) changes its table. */
function kindOf(code: string): WriteKind | undefined {
  const s = code.trimStart();
  if (/^INSERT\b/i.test(s) || /^COPY\s+\S+(?:\s*\([^)]*\))?\s+FROM\b/i.test(s)) return 'insert';
  if (/^TRUNCATE\b/i.test(s)) return 'clear';
  if (/^DELETE\s+FROM\s+\S+\s*$/i.test(s)) return 'clear';
  if (/^DELETE\b/i.test(s)) return 'delete';
  if (/^UPDATE\b/i.test(s)) return 'update';
  if (/^MERGE\b/i.test(s)) return 'merge';
  if (/^CREATE\s+OR\s+REPLACE\b/i.test(s)) return 'replace';
  if (/^CREATE\s+\w+\s+IF\s+NOT\s+EXISTS\b/i.test(s)) return 'create-if-absent';
  if (/^CREATE\b/i.test(s)) return 'create';
  if (/^DROP\b/i.test(s)) return 'drop';
  if (/^(ALTER|COMMENT)\b/i.test(s)) return 'alter';
  return undefined;
}

/** For each file's text, its statements' writes, names resolved like the lineage's (render/names.ts). */
export function statementWrites(files: readonly string[], home: Home, known?: Known): StatementWrites[][] {
  const raw = files.join('\n;\n');
  const scope = new NameScope(home, temporaries(files.map((f) => codeOnly(f)).join('\n;\n'), raw));
  const resolve = resolver(scope, known);
  return files.map((file) =>
    statementsOf([file]).map((st): StatementWrites => {
      if (scope.follow(st)) return null;
      const code = codeOnly(st).trim();
      if (SCALAR_MACRO.test(code)) return { tables: [MACROS], kind: 'replace' };
      if (HARMLESS.test(code)) return null;
      const kind = kindOf(code);
      const created = createdIn(code).map((n) => scope.target(n));
      if (created.some((t) => t === undefined)) return null; // a temporary object
      const tables = [...new Set([...(created as string[]), ...resolve(changedIn(code), true)])];
      if (!kind || tables.length === 0) return 'unknown';
      return { tables, kind };
    }),
  );
}

/** Kinds after which a table holds only what the step put there: what it was before does not matter. */
const DEFINES: ReadonlySet<WriteKind> = new Set(['replace', 'create', 'drop', 'clear']);

/** The words of a statement, its first mention of `target` left out (a statement names the table it writes). */
function wordsBut(code: string, target: string): Set<string> {
  const words: string[] = code.toLowerCase().match(/\w+/g) ?? [];
  const at = words.indexOf(target);
  return new Set(at < 0 ? words : [...words.slice(0, at), ...words.slice(at + 1)]);
}

/** The tables a step writes without first replacing them (what they held before is part of its result; a table
 * it only ensures with CREATE … IF NOT EXISTS is not: running that again changes nothing), and
 * whether some statement writes what cannot be named. A table counts as replaced by a statement that defines
 * it (CREATE [OR REPLACE], DROP, or DELETE FROM / TRUNCATE after a CREATE … IF NOT EXISTS) when nothing before
 * it, and nothing else in it, mentions the table's name. */
export function keptTables(files: readonly string[], home: Home, known?: Known): { kept: string[]; unknown: boolean } {
  const writes = statementWrites(files, home, known).flat();
  const codes = statementsOf(files).map((st) => codeOnly(st));
  const state = new Map<string, 'ensured' | 'defined' | 'kept'>();
  const seen = new Set<string>();
  let unknown = false as boolean;
  writes.forEach((w, i) => {
    if (w === 'unknown') unknown = true;
    const targets = w && w !== 'unknown' ? w.tables : [];
    for (const table of targets) {
      const now = state.get(table);
      if (now === 'defined' || now === 'kept' || !w || w === 'unknown') continue;
      const name = tableName(table);
      const clean = !seen.has(name) && !wordsBut(codes[i], name).has(name);
      if (clean && DEFINES.has(w.kind)) state.set(table, 'defined');
      else if (clean && w.kind === 'create-if-absent') state.set(table, 'ensured');
      else state.set(table, 'kept');
    }
    const mentioned = (codes[i].toLowerCase().match(/\w+/g) ?? []).filter(
      (word) => !targets.some((t) => tableName(t) === word && state.get(t) === 'ensured'),
    );
    for (const word of mentioned) seen.add(word);
  });
  const kept = [...state].filter(([, s]) => s === 'kept').map(([t]) => t); // only ensured: running it again does nothing
  return { kept, unknown };
}

/** The last part of a table's name (for messages). */
export const tableName = (name: string) => nameParts(name).at(-1) ?? name;
