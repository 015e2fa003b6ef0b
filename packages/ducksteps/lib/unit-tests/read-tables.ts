// `create-test`: the rows a new test is given, read from the warehouse (read-only `query` jobs), and the batch
// it processes. For an incremental step that is the batch holding the rows asked for — the latest batch among
// the --where rows of the tables it reads that have a batch_id (earlier batches' rows stay as history) — or,
// without such rows, the latest batch the step committed; a batch_id table no --where applies to gives rows
// of that batch only, and any other table that shares a key (a column named *_id) with those rows gives the
// rows holding those keys (the customers and products of the orders asked for). Taking the step's latest
// batch, or a lookup table's first rows, whatever the rows asked for would test nothing.
import type { Project, Settings, Step } from '../model.js';
import { sqlIdent, sqlString } from '../sql/quote.js';
import type { DiffCell } from '../unit-tests.js';
import { ask, filtersFor, latestBatch, parseFilters } from './generate-test.js';

export interface ReadRequest {
  readonly project: Project;
  readonly settings: Settings;
  readonly step: Step;
  readonly wheres: readonly string[];
  readonly limit: number; // rows of a table no --where applies to
}

interface Shape {
  readonly table: string;
  readonly types: Record<string, string>;
  readonly where: string; // the --where expressions that apply, ANDed ('' for none)
  readonly batched: boolean; // it has a batch_id column
}

/** Each read table's columns and the --where expressions that apply to it. */
async function shapesOf(r: ReadRequest, reads: readonly string[]): Promise<Shape[]> {
  const described = await ask(
    r.project,
    r.settings,
    reads.map((t) => `SELECT column_name, column_type FROM (DESCRIBE ${t})`),
    `the tables ${r.step.id} reads`,
  );
  const filters = await parseFilters(r.project, r.settings, r.wheres, reads);
  return reads.map((table, i) => {
    const types = Object.fromEntries(described[i].rows.map((x) => [String(x.column_name), String(x.column_type)]));
    const columns = Object.keys(types).map((c) => c.toLowerCase());
    const where = filtersFor(table, columns, filters)
      .map((f) => `(${f.sql})`)
      .join(' AND ');
    return { table, types, where, batched: columns.includes('batch_id') };
  });
}

/** The batch the test processes: the latest holding --where rows, else the step's latest (none: not incremental). */
async function batchOf(r: ReadRequest, shapes: readonly Shape[]): Promise<number | undefined> {
  if (!r.step.incremental) return undefined;
  const asked = shapes.filter((s) => s.where && s.batched);
  const found = asked.length
    ? await ask(
        r.project,
        r.settings,
        asked.map((s) => `SELECT max(batch_id) AS id FROM ${s.table} WHERE ${s.where}`),
        'the batches of the rows asked for',
      )
    : [];
  const ids = found.map((f) => Number(f.rows[0]?.id)).filter((id) => Number.isInteger(id) && id > 0);
  return ids.length > 0 ? Math.max(...ids) : latestBatch(r.project, r.settings, r.step);
}

/** A table with the rows to read: `only` (SQL, '' for all), `why` (for the note), `limited` (LIMIT applies). */
interface Scoped extends Shape {
  readonly only: string;
  readonly why: string;
  readonly limited: boolean;
}

/** Rows (as text) and the table's row count, for each scoped table, in one query job. */
async function readScoped(r: ReadRequest, scoped: readonly Scoped[]) {
  if (scoped.length === 0) return [];
  const queries = scoped.flatMap(({ table, types, only, limited }) => {
    const cast = Object.keys(types)
      .map((c) => `CAST(${sqlIdent(c)} AS VARCHAR) AS ${sqlIdent(c)}`)
      .join(', ');
    const filter = only ? ` WHERE ${only}` : '';
    return [
      `SELECT ${cast} FROM ${table}${filter}${limited ? ` LIMIT ${r.limit}` : ''}`,
      `SELECT count(*) AS n FROM ${table}`,
    ];
  });
  const answers = await ask(r.project, r.settings, queries, `the tables ${r.step.id} reads`);
  return scoped.map((s, i) => {
    const columns = Object.keys(s.types);
    const cells = answers[i * 2].rows.map((row) =>
      columns.map((c): DiffCell => (row[c] === null || row[c] === undefined ? null : String(row[c]))),
    );
    return { ...s, columns, cells, total: Number(answers[i * 2 + 1].rows[0].n) };
  });
}

const isKey = (column: string) => /_id$/i.test(column) && column.toLowerCase() !== 'batch_id';

/** The keys of rows read (columns named *_id, batch_id aside): column -> the values they hold. */
function keysOf(read: ReadonlyArray<{ columns: readonly string[]; cells: DiffCell[][] }>): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const { columns, cells } of read)
    columns.forEach((c, i) => {
      if (!isKey(c)) return;
      const values = keys.get(c.toLowerCase()) ?? new Set<string>();
      for (const row of cells) if (row[i] !== null) values.add(row[i]!);
      keys.set(c.toLowerCase(), values);
    });
  return keys;
}

/** The rows to read first: the --where rows, else a batch_id table's rows of the batch the test processes. */
function firstScope(s: Shape, batch: number | undefined): Scoped | undefined {
  if (s.where) return { ...s, only: s.where, why: '', limited: false };
  if (s.batched && batch !== undefined)
    return { ...s, only: `batch_id = ${batch}`, why: `those of batch ${batch}`, limited: true };
  return undefined;
}

/** Any other table: the rows holding the keys of the rows read first (a lookup of what they name), else its
 * first rows. */
function keyScope(s: Shape, keys: ReadonlyMap<string, Set<string>>): Scoped {
  const matched = Object.keys(s.types).filter((c) => isKey(c) && keys.get(c.toLowerCase())?.size);
  if (matched.length === 0) return { ...s, only: '', why: '', limited: true };
  const only = matched.map(
    (c) => `CAST(${sqlIdent(c)} AS VARCHAR) IN (${[...keys.get(c.toLowerCase())!].map(sqlString).join(', ')})`,
  );
  return {
    ...s,
    only: only.join(' AND '),
    why: `those holding the ${matched.join(', ')} of the other given rows`,
    limited: false,
  };
}

/** What the test file says about a table's rows. */
function noteOf(t: Scoped & { cells: unknown[]; total: number }, limit: number): string | undefined {
  if (t.where) return `${t.cells.length} of ${t.total} rows: ${t.where}`;
  if (!t.limited) return `${t.cells.length} of ${t.total} rows: ${t.why}`;
  const narrow = `no --where applies: narrow it with --where "${t.table}: …"`;
  if (t.why)
    return `${t.cells.length} of ${t.total} rows: ${t.why}${t.cells.length === limit ? ` (the first ${limit}; ${narrow})` : ''}`;
  return t.total > t.cells.length ? `the first ${t.cells.length} of ${t.total} rows (${narrow})` : undefined;
}

/** Reads each table the step reads — the --where rows and the batch's first (firstScope), then the others
 * (keyScope) — with its types and
 * how many rows it has in all; and the batch the test processes. */
export async function readTables(r: ReadRequest, reads: readonly string[], ddl: ReadonlyMap<string, string>) {
  const shapes = await shapesOf(r, reads);
  const batch = await batchOf(r, shapes);
  const first = await readScoped(
    r,
    shapes.flatMap((s) => firstScope(s, batch) ?? []),
  );
  const keys = keysOf(first);
  const rest = await readScoped(
    r,
    shapes.filter((s) => !firstScope(s, batch)).map((s) => keyScope(s, keys)),
  );
  const read = new Map([...first, ...rest].map((t) => [t.table, t]));
  const tables = reads.map((table) => {
    const t = read.get(table)!;
    return {
      table,
      columns: t.columns,
      cells: t.cells,
      total: t.total,
      note: noteOf(t, r.limit),
      types: ddl.has(table) ? {} : t.types,
    };
  });
  return { tables, batch };
}
