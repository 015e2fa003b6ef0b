// Inside a worker: the output columns of a query, each with the upstream columns it comes from, from DuckDB's
// own parse tree (json_serialize_sql). Names resolve through the FROM clause (tables, subqueries, joins, CTEs,
// table functions); `*` expands from the schemas known so far. What cannot be resolved is said, not guessed.
import type { ColumnSource } from '../results.js';

export type How = ColumnSource['from'][number]['how'];
export interface Src {
  readonly source: string; // schema.table.column, or file:PATH.column
  readonly how: How;
}
export interface Col {
  readonly name: string;
  readonly from: readonly Src[];
}
/** A relation in scope: its columns (undefined: not known), and what an unknown column of it comes from. */
export interface Relation {
  readonly alias: string;
  readonly columns?: readonly Col[];
  readonly origin?: string; // a persistent table or a file: an unknown column `c` is `${origin}.${c}`
  readonly what: string; // for messages: the table or function it is
  /** Its columns are known only in part (made with a `*` over unknown columns): why. */
  readonly incomplete?: string;
}
/** What the resolver knows outside the query: the tables (temporary ones already resolved to their sources). */
export interface Known {
  table(name: string): Relation | undefined;
}
type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const AGGREGATES = new Set(
  'sum count count_star min max avg mean any_value first last arg_min arg_max min_by max_by list array_agg string_agg group_concat median mode stddev stddev_samp stddev_pop variance var_samp var_pop bool_and bool_or bit_and bit_or product approx_count_distinct quantile quantile_cont quantile_disc histogram'.split(
    ' ',
  ),
);
const FILES = /^read_(csv|parquet|json)(_auto|_objects)?$/;

const RANK: Record<How, number> = { identity: 0, transformation: 1, aggregation: 2 };

/** The sources of several parts, each once; `how`: what the expression around them does (an aggregate makes
 * every source an aggregation, any other function makes a copied column a transformation). */
const merge = (lists: ReadonlyArray<readonly Src[]>, how?: How): Src[] => {
  const seen = new Map<string, Src>();
  for (const s of lists.flat()) {
    const own = how && RANK[how] > RANK[s.how] ? how : s.how;
    const prev = seen.get(s.source);
    seen.set(s.source, { source: s.source, how: prev && RANK[prev.how] > RANK[own] ? prev.how : own });
  }
  return [...seen.values()];
};

/** A query's resolver; `problems` collects what it could not resolve. */
export class Scope {
  /** The origins of the unknown columns a `*` took in (a table made of it has those columns too). */
  readonly open: string[] = [];

  constructor(
    private readonly known: Known,
    readonly problems: string[],
    private readonly ctes = new Map<string, Relation>(),
  ) {}

  /** The columns a SELECT (or set operation) node outputs. */
  query(node: Node): Col[] {
    const inner = new Scope(this.known, this.problems, new Map(this.ctes));
    const done = (cols: Col[]) => (this.open.push(...inner.open), cols);
    for (const entry of (node.cte_map?.map ?? []) as Node[]) {
      const cols = inner.query(entry.value.query.node);
      const aliases = (entry.value.aliases ?? []) as string[];
      inner.ctes.set(String(entry.key).toLowerCase(), {
        alias: entry.key,
        what: `CTE ${entry.key}`,
        columns: cols.map((c, i) => ({ name: aliases[i] ?? c.name, from: c.from })),
      });
    }
    if (node.type === 'SET_OPERATION_NODE') {
      const [left, right] = [inner.query(node.left), inner.query(node.right)];
      return done(left.map((c, i) => ({ name: c.name, from: merge([c.from, right[i]?.from ?? []]) })));
    }
    if (node.type !== 'SELECT_NODE') {
      this.problems.push(`a ${String(node.type).toLowerCase()} query`);
      return [];
    }
    const relations = node.from_table ? inner.from(node.from_table) : [];
    return done((node.select_list as Node[]).flatMap((e, i) => inner.output(e, relations, i)));
  }

  /** The relations a FROM clause brings into scope. */
  from(t: Node): Relation[] {
    const alias = (fallback: string) => String(t.alias || fallback);
    if (t.type === 'JOIN') return [...this.from(t.left), ...this.from(t.right)];
    if (t.type === 'SUBQUERY')
      return [
        {
          alias: alias('subquery'),
          what: 'a subquery',
          columns: this.renamed(this.query(t.subquery.node), t.column_name_alias),
        },
      ];
    if (t.type === 'BASE_TABLE') {
      const name = [t.schema_name, t.table_name].filter(Boolean).join('.').toLowerCase();
      const rel = (!t.schema_name && this.ctes.get(name)) || this.known.table(name);
      const found = rel ?? { alias: name, what: name, origin: name };
      return [
        { ...found, alias: alias(String(t.table_name)), columns: this.renamed(found.columns, t.column_name_alias) },
      ];
    }
    if (t.type === 'TABLE_FUNCTION') {
      const fn = String(t.function?.function_name ?? '').toLowerCase();
      const arg = t.function?.children?.[0];
      const path =
        arg?.class === 'CONSTANT'
          ? String(arg.value?.value)
          : arg?.function_name === 'list_value'
            ? String(arg.children?.[0]?.value?.value)
            : undefined;
      if (FILES.test(fn) && path) return [{ alias: alias(fn), what: `${fn}('${path}')`, origin: `file:${path}` }];
      const cols = (t.column_name_alias as string[] | undefined)?.map((name) => ({ name, from: [] }));
      return [{ alias: alias(fn), what: `${fn}()`, columns: cols }];
    }
    this.problems.push(`a ${String(t.type).toLowerCase()} in FROM`);
    return [];
  }

  private renamed(cols: readonly Col[] | undefined, aliases?: string[]): Col[] | undefined {
    return cols?.map((c, i) => ({ name: aliases?.[i] ?? c.name, from: c.from }));
  }

  /** A select-list entry's output columns (a `*` gives several). */
  private output(e: Node, relations: readonly Relation[], index: number): Col[] {
    if (e.class === 'STAR' && !e.columns) return this.star(e, relations);
    const name = e.alias || (e.class === 'COLUMN_REF' ? String(e.column_names.at(-1)) : `#${index + 1}`); // # : DuckDB names it
    return [{ name, from: this.sources(e, relations) }];
  }

  private star(e: Node, relations: readonly Relation[]): Col[] {
    const chosen = e.relation_name
      ? relations.filter((r) => r.alias.toLowerCase() === String(e.relation_name).toLowerCase())
      : relations;
    const excluded = new Set(
      ((e.exclude_list ?? []) as Array<string | Node>).map((x) =>
        String(typeof x === 'string' ? x : (x.exclude_name ?? x.name ?? '')).toLowerCase(),
      ),
    );
    const out: Col[] = [];
    for (const r of chosen) {
      if (!r.columns || r.incomplete) {
        this.problems.push(r.incomplete ?? `* over ${r.what}: its columns are not known offline`);
        if (r.origin) this.open.push(r.origin);
        if (!r.columns) continue;
      }
      for (const c of r.columns) if (!excluded.has(c.name.toLowerCase())) out.push(c);
    }
    return out;
  }

  /** What an expression reads: every column it references, resolved; `how` from its shape. */
  sources(e: Node, relations: readonly Relation[]): Src[] {
    if (e.class === 'COLUMN_REF') return this.column(e.column_names as string[], relations);
    if (e.class === 'CONSTANT') return [];
    if (e.class === 'SUBQUERY')
      return merge(
        new Scope(this.known, this.problems, this.ctes).query(e.subquery.node).map((c) => c.from),
        'transformation',
      );
    const aggregate = e.class === 'FUNCTION' && AGGREGATES.has(String(e.function_name).toLowerCase());
    const parts: Src[][] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== 'object') return;
      const node = n as Node;
      if (node.class && node !== e) return void parts.push(this.sources(node, relations));
      Object.entries(node).forEach(([k, v]) => k !== 'subquery' && walk(v));
    };
    walk(e);
    return merge(parts, aggregate ? 'aggregation' : 'transformation');
  }

  private column(names: string[], relations: readonly Relation[]): Src[] {
    const [qualifier, col] = names.length > 1 ? [names.at(-2)!.toLowerCase(), names.at(-1)!] : [undefined, names[0]];
    const candidates = qualifier ? relations.filter((r) => r.alias.toLowerCase() === qualifier) : relations;
    const known = candidates.find((r) => r.columns?.some((c) => c.name.toLowerCase() === col.toLowerCase()));
    if (known) return known.columns!.find((c) => c.name.toLowerCase() === col.toLowerCase())!.from.map((s) => s);
    const open = candidates.filter((r) => !r.columns || r.incomplete);
    if (open.length === 1 && open[0].origin) return [{ source: `${open[0].origin}.${col}`, how: 'identity' }];
    if (open.length === 0) return []; // a name DuckDB binds elsewhere (a lambda, an outer query, a struct field)
    this.problems.push(
      `column ${names.join('.')}: ${open.length > 1 ? `more than one table of unknown columns could hold it (${open.map((r) => r.what).join(', ')})` : `it comes from ${open[0]?.what ?? 'nothing in scope'}`}`,
    );
    return [];
  }
}
