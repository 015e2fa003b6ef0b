// Inside the worker: compares each expected table with the step's result. The expected rows take the actual
// columns' types (a value a type holds only rounded equals nothing: exact.ts); rows are compared as multisets (EXCEPT ALL both ways; NULL equals NULL), or position by
// position when `ordered`; rows left on both sides with the same key are paired as changed rows.
import { FixtureError } from '../errors.js';
import type { Session } from '../engines/engine.js';
import { sqlIdent as ident } from '../sql/quote.js';
import type { CapturedTable, DiffCell, ExpectedTable, TableDiff } from '../unit-tests.js';
import { lossy } from './exact.js';
import { LINE, castColumns, checkTypes, loadText, typesOf } from './fixture-tables.js';
import { tableKey } from './untouched.js';

const POSITION = '#';
const WRITTEN = '__ducksteps_written_';

/** Rows of a query, every cell as text (NULL as null), in the given column order. */
async function textRows(session: Session, sql: string, columns: readonly string[]): Promise<DiffCell[][]> {
  const { rows } = await session.query(
    `SELECT ${columns.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`).join(', ')} FROM (${sql})`,
  );
  return rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? null : String(r[c]))));
}

/** Orders diff rows the same way every time: cell by cell, numbers as numbers, NULL first. */
export function byCells(a: readonly DiffCell[], b: readonly DiffCell[]): number {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]];
    if (x === y) continue;
    if (x === null || y === null) return x === null ? -1 : 1;
    const [nx, ny] = [Number(x), Number(y)];
    const diff =
      x.trim() !== '' && y.trim() !== '' && !Number.isNaN(nx) && !Number.isNaN(ny) ? nx - ny : x < y ? -1 : 1;
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Pairs rows only expected and only actual that share a key: those are changed rows. */
export function pairByKey(
  columns: readonly string[],
  key: readonly string[],
  onlyExpected: DiffCell[][],
  onlyActual: DiffCell[][],
): Pick<TableDiff, 'onlyExpected' | 'onlyActual' | 'changed'> {
  if (key.length === 0) return { onlyExpected, onlyActual, changed: [] };
  const at = key.map((k) => columns.indexOf(k));
  const keyOf = (row: readonly DiffCell[]) => JSON.stringify(at.map((i) => row[i]));
  const actual = [...onlyActual];
  const changed: Array<{ expected: DiffCell[]; actual: DiffCell[] }> = [];
  const left: DiffCell[][] = [];
  for (const row of onlyExpected) {
    const match = actual.findIndex((a) => keyOf(a) === keyOf(row));
    if (match < 0) left.push(row);
    else changed.push({ expected: row, actual: actual.splice(match, 1)[0] });
  }
  return { onlyExpected: left, onlyActual: actual, changed };
}

/** The expected rows (typed like the actual columns) and the actual rows, as two queries with the same columns.
 * A value its type holds only rounded ('12.39' as an INTEGER: worker/exact.ts) is also kept as written in a
 * column of its own, NULL on the actual side: its row equals no actual row, and `fold` shows it as written. */
function queries(e: ExpectedTable, types: Readonly<Record<string, string>>, name: string) {
  const position = (order: string) => (e.ordered ? [`row_number() OVER (${order}) AS ${ident(POSITION)}`] : []);
  const columns = e.ordered ? [POSITION, ...e.columns] : e.columns;
  const written = e.columns.flatMap((c, i) => {
    const loose = lossy(ident(c), types[c]);
    const as = `${WRITTEN}${i}`;
    return loose ? [{ as, sql: `CASE WHEN ${loose} THEN ${ident(c)} END`, at: columns.indexOf(c) }] : [];
  });
  const expected = [
    ...position(`ORDER BY ${LINE}`),
    castColumns(e.columns, types),
    ...written.map((w) => `${w.sql} AS ${ident(w.as)}`),
  ];
  const actual = [...position(''), ...e.columns.map(ident), ...written.map((w) => `NULL::VARCHAR AS ${ident(w.as)}`)];
  const fold = (row: DiffCell[]) =>
    row.slice(0, columns.length).map((cell, i) => {
      const k = written.findIndex((w) => w.at === i);
      return k >= 0 && row[columns.length + k] !== null ? row[columns.length + k] : cell;
    });
  return {
    expected: `SELECT ${expected.join(', ')} FROM ${ident(name)}`,
    actual: `SELECT ${actual.join(', ')} FROM ${e.table}`,
    shown: [...columns, ...written.map((w) => w.as)],
    fold,
  };
}

/** The diff of one table; undefined when it matches. */
async function compareTable(
  session: Session,
  e: ExpectedTable,
  index: number,
  dir: string,
  file: string,
  untouched: ReadonlySet<string>,
): Promise<TableDiff | undefined> {
  const base = {
    table: e.table,
    columns: e.columns,
    key: e.key,
    expectedRows: e.rows.length,
    actualRows: 0,
    onlyExpected: [],
    onlyActual: [],
    changed: [],
  };
  if (untouched.has(tableKey(e.table)))
    return {
      ...base,
      note: 'a given table the step does not write (left as given): expect a table the step writes',
    };
  let types: Record<string, string>;
  try {
    types = await typesOf(session, e.table);
  } catch {
    return { ...base, note: `the step did not create ${e.table}` };
  }
  const unknown = e.columns.find((c) => !(c in types));
  if (unknown)
    throw new FixtureError(
      `expect ${e.table}: the step's ${e.table} has no column "${unknown}" (it has ${Object.keys(types).join(', ')})`,
      { file, line: e.line },
    );
  const name = `__ducksteps_expected_${index}`;
  await loadText(session, e, dir, name);
  await checkTypes(session, name, e, types, file, `expect ${e.table}`);
  await session.run('SET preserve_insertion_order = true'); // a step may have turned it off; `ordered` reads the table's order
  const q = queries(e, types, name);
  const rows = async (sql: string) => (await textRows(session, sql, q.shown)).map(q.fold).sort(byCells);
  const onlyExpected = await rows(`${q.expected} EXCEPT ALL ${q.actual}`);
  const onlyActual = await rows(`${q.actual} EXCEPT ALL ${q.expected}`);
  const columns = e.ordered ? [POSITION, ...e.columns] : e.columns;
  const actualRows = Number((await session.query(`SELECT count(*) AS n FROM ${e.table}`)).rows[0].n);
  if (onlyExpected.length === 0 && onlyActual.length === 0) return undefined;
  return {
    ...base,
    columns,
    actualRows,
    ...pairByKey(columns, e.ordered ? [POSITION] : e.key, onlyExpected, onlyActual),
  };
}

/** Every expected table that differs from the step's result; `untouched`: given tables the step left alone
 * (worker/untouched.ts), which an expected table must not be. */
export async function compareAll(
  session: Session,
  expect: readonly ExpectedTable[],
  dir: string,
  file: string,
  untouched: ReadonlySet<string> = new Set(),
): Promise<TableDiff[]> {
  const diffs: TableDiff[] = [];
  for (const [i, e] of expect.entries()) {
    const diff = await compareTable(session, e, i, dir, file, untouched);
    if (diff) diffs.push(diff);
  }
  return diffs;
}

/** A table's rows after the step, every column (create-test's expected rows); undefined when it does not exist. */
export async function captureTable(session: Session, table: string): Promise<CapturedTable | undefined> {
  try {
    const columns = Object.keys(await typesOf(session, table));
    return { table, columns, rows: await textRows(session, `FROM ${table}`, columns) };
  } catch {
    return undefined;
  }
}
