// Table identity as DuckDB resolves it: a name as written — quoted or not, any case (DuckDB's identifiers are
// case-insensitive), with or without its catalog and schema — becomes one name per table, relative to the
// warehouse's home: `t`, `main.t`, `warehouse.main.t` and `"T"` are `t`; `core.t` another schema's table;
// `other.main.t` another catalog's. A step's USE, SET search_path / schema, RESET, ATTACH and DETACH move
// where its later names go, as they do in its session (DuckDB's CatalogSearchPath and binder rules).
import type { Home } from '../model.js';

type Entry = readonly [catalog: string, schema: string];
const NAME = String.raw`(?:"(?:[^"]|"")+"|\w+)(?:\.(?:"(?:[^"]|"")+"|\w+))*`;
const USE = new RegExp(String.raw`^USE\s+(${NAME})(?![\w."])`, 'i');
const SET = /^SET\s+(?:(?:SESSION|LOCAL|GLOBAL)\s+)?(search_path|schema)\s*(?:=|\bTO\b)\s*'((?:[^']|'')*)'/i;
const RESET = /^RESET\s+(?:(?:SESSION|LOCAL|GLOBAL)\s+)?(?:search_path|schema)\b/i;
const ATTACH = new RegExp(
  String.raw`^ATTACH\s+(?:DATABASE\s+)?(?:IF\s+NOT\s+EXISTS\s+)?'((?:[^']|'')*)'(?:\s+AS\s+(${NAME}))?`,
  'i',
);
const DETACH = new RegExp(String.raw`^DETACH\s+(?:DATABASE\s+)?(?:IF\s+EXISTS\s+)?(${NAME})`, 'i');

/** An in-memory DuckDB: the home of names read without a warehouse (the framework's own pure tests). */
export const MEMORY_HOME: Home = {
  catalog: 'memory',
  schema: 'main',
  catalogs: ['memory', 'system', 'temp'],
  reset: 'memory',
};

/** The parts of a dotted name, unquoted ("" inside quotes is one ") and lower-cased. */
export function nameParts(text: string): string[] {
  const parts: string[] = [];
  let part = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] !== '"') part += text[j];
        else if (text[j + 1] === '"') part += text[++j];
        else break;
      }
      i = j;
    } else if (c === '.') {
      parts.push(part);
      part = '';
    } else if (!/\s/.test(c)) part += c;
  }
  parts.push(part);
  return parts.map((p) => p.toLowerCase());
}

const written = (part: string) => (/[."\s]/.test(part) ? `"${part.replace(/"/g, '""')}"` : part);

/** A table's name relative to the home: its catalog and schema left out where they are the home's. */
export function nameOf(home: Home, [catalog, schema, table]: readonly string[]): string {
  const parts =
    catalog !== home.catalog ? [catalog, schema, table] : schema !== home.schema ? [schema, table] : [table];
  return parts.map(written).join('.');
}

/** A table named in an assertion's argument (`core.orders`), as the lineage names it from the home, and its
 * three parts (catalog, schema, table). */
export function homeName(home: Home, table: string): { name: string; parts: string[] } {
  const p = nameParts(table);
  const parts =
    p.length >= 3
      ? p.slice(-3)
      : p.length === 2
        ? home.catalogs.includes(p[0]) && p[0] !== home.schema
          ? [p[0], home.schema, p[1]]
          : [home.catalog, p[0], p[1]]
        : [home.catalog, home.schema, p[0]];
  return { name: nameOf(home, parts), parts };
}

/** The name DuckDB gives a database attached without AS: its file name up to the first dot. */
export function attachedName(path: string): string {
  const file =
    path
      .replace(/^[a-z]+:(?!\/\/)/i, '')
      .split(/[\\/]/)
      .pop() ?? '';
  return file.split('.')[0].toLowerCase();
}

/** Where a session's names go, statement by statement. */
export class NameScope {
  private path: Entry[];
  private readonly catalogs: Set<string>;

  constructor(
    private readonly home: Home,
    private readonly temps: ReadonlySet<string> = new Set(),
  ) {
    this.path = [[home.catalog, home.schema]];
    this.catalogs = new Set(home.catalogs);
  }

  /** Follows a statement (as written, from its first token) that changes where names go (true), or leaves
   * it to the caller (false). */
  follow(statement: string): boolean {
    const use = statement.match(USE);
    const set = statement.match(SET);
    const value = set?.[2].replace(/''/g, "'").trim();
    if (use || set?.[1].toLowerCase() === 'schema') this.path = [this.entry(nameParts(use ? use[1] : value!))];
    else if (set) this.path = value ? value.split(',').map((e) => this.entry(nameParts(e.trim()))) : this.reset();
    else if (RESET.test(statement)) this.path = this.reset();
    else return this.attach(statement);
    return true;
  }

  private attach(statement: string): boolean {
    const attach = statement.match(ATTACH);
    const detach = statement.match(DETACH);
    if (attach) this.catalogs.add(attach[2] ? nameParts(attach[2])[0] : attachedName(attach[1]));
    else if (detach) this.catalogs.delete(nameParts(detach[1])[0]);
    return Boolean(attach || detach);
  }

  private reset(): Entry[] {
    return [[this.home.reset, this.defaultSchema(this.home.reset)]];
  }

  /** A search path entry as USE and SET search_path read one: a catalog (its main schema), a schema of the
   * current default catalog, or catalog.schema. */
  private entry(parts: string[]): Entry {
    if (parts.length > 1) return [parts[0], parts[1]];
    return this.catalogs.has(parts[0]) ? [parts[0], this.defaultSchema(parts[0])] : [this.path[0][0], parts[0]];
  }

  /** Where DuckDB looks after the search path: the default catalog's main schema. */
  private fallback(): Entry {
    return [this.path[0][0], this.defaultSchema(this.path[0][0])];
  }

  /** A catalog's own default schema (DuckDB's is main; the home's is the home schema). */
  private defaultSchema(catalog: string): string {
    return catalog === this.home.catalog ? this.home.schema : 'main';
  }

  /** Whether a name is a temporary object of the step (a session's own, never a warehouse table). */
  private temporary(parts: readonly string[]): boolean {
    return parts[0] === 'temp' ? parts.length > 1 : parts.length === 1 && this.temps.has(parts[0]);
  }

  /** The table a CREATE or a write of `name` changes (undefined: a temporary one). */
  target(name: string): string | undefined {
    const parts = nameParts(name);
    if (this.temporary(parts)) return undefined;
    const [first] = this.path;
    if (parts.length === 1) return nameOf(this.home, [...first, parts[0]]);
    if (parts.length >= 3) return nameOf(this.home, parts.slice(-3));
    const [a, table] = parts;
    if (this.catalogs.has(a))
      return nameOf(this.home, [a, this.path.find((e) => e[0] === a)?.[1] ?? this.defaultSchema(a), table]);
    return nameOf(this.home, [this.path.find((e) => e[1] === a)?.[0] ?? first[0], a, table]);
  }

  /** The tables a read of `name` may find, in the order DuckDB looks ([] for a temporary one). */
  candidates(name: string): string[] {
    const parts = nameParts(name);
    if (this.temporary(parts)) return [];
    const [first] = this.path;
    let entries: Entry[];
    if (parts.length >= 3) entries = [[parts.at(-3)!, parts.at(-2)!]];
    else if (parts.length === 1) entries = [...this.path, this.fallback()];
    else if (this.catalogs.has(parts[0])) {
      const schemas = this.path.filter((e) => e[0] === parts[0]).map((e) => e[1]);
      entries = (schemas.length ? schemas : [this.defaultSchema(parts[0])]).map((s) => [parts[0], s]);
    } else {
      const catalogs = [...this.path, this.fallback()].filter((e) => e[1] === parts[0]).map((e) => e[0]);
      entries = (catalogs.length ? catalogs : [first[0]]).map((c) => [c, parts[0]]);
    }
    return [...new Set(entries.map((e) => nameOf(this.home, [...e, parts.at(-1)!])))];
  }
}

/** Which of the tables a name could be it is: the first some step writes (DuckDB takes the first that exists,
 * and the project's tables do once it has run), else the first (a table from outside the project). */
export function chosen(candidates: readonly string[], known?: ReadonlySet<string>): string[] {
  const found = known && candidates.find((c) => known.has(c));
  return found ? [found] : candidates.slice(0, 1);
}
