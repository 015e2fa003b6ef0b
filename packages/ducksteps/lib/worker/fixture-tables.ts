// Inside the worker: a fixture's rows as DuckDB tables. The rows go through a CSV file (NULL as an empty cell,
// every value quoted) into a text table with each row's fixture line; their types come from the project's
// CREATE TABLE statement when there is one, else from `types:` and DuckDB's CSV sniffer; a value that does not
// fit its type is a FixtureError at its line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FixtureError } from '../errors.js';
import type { Session } from '../engines/engine.js';
import { sqlIdent as ident, sqlString as text } from '../sql/quote.js';
import type { FixtureRows, GivenTable } from '../unit-tests.js';
import { lossy } from './exact.js';
import { sqlMessage } from './sql-error.js';

export const LINE = '__ducksteps_line';
const OPTIONS = `header = true, nullstr = '', allow_quoted_nulls = false, delim = ',', quote = '"', escape = '"'`;
const quoted = (v: string) => `"${v.replace(/"/g, '""')}"`;

/** Writes the rows as a CSV file and returns its path. */
function writeRows(rows: FixtureRows, dir: string, name: string): string {
  const path = join(dir, `${name}.csv`);
  const lines = [
    [LINE, ...rows.columns].map(quoted).join(','),
    ...rows.rows.map((r, i) => [String(rows.lines[i]), ...r.map((v) => (v === null ? '' : quoted(v)))].join(',')),
  ];
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The rows as a temporary all-text table `name` (with each row's fixture line); returns the sniffed types. */
export async function loadText(
  session: Session,
  rows: FixtureRows,
  dir: string,
  name: string,
): Promise<Record<string, string>> {
  const path = text(writeRows(rows, dir, name));
  await session.run(
    `CREATE OR REPLACE TEMP TABLE ${ident(name)} AS FROM read_csv(${path}, ${OPTIONS}, all_varchar = true)`,
  );
  if (rows.rows.length === 0) return {};
  const sniffed = await session.query(`DESCRIBE SELECT * FROM read_csv(${path}, ${OPTIONS})`);
  return Object.fromEntries(sniffed.rows.map((r) => [String(r.column_name), String(r.column_type)]));
}

/** SQL true for a value of `column` its type cannot hold (or, `exact`, holds only rounded). */
function misfits(column: string, type: string, exact: boolean): string {
  const c = ident(column);
  const loose = exact ? lossy(c, type) : undefined;
  return `${c} IS NOT NULL AND (TRY_CAST(${c} AS ${type}) IS NULL${loose ? ` OR ${loose}` : ''})`;
}

/** The first value of `column` its type cannot hold (or, `exact`, holds only rounded: worker/exact.ts), with
 * its fixture line and what the cast made of it. */
async function firstMisfit(session: Session, name: string, column: string, type: string, exact: boolean) {
  const c = ident(column);
  const found = await session.query(
    `SELECT ${LINE} AS line, ${c} AS value, CAST(TRY_CAST(${c} AS ${type}) AS VARCHAR) AS became FROM ${ident(name)} WHERE ${misfits(column, type, exact)} ORDER BY ${LINE} LIMIT 1`,
  );
  return found.rows[0] as { line: unknown; value: string; became: string | null } | undefined;
}

/** Refuses a value its column's type cannot hold (or a type DuckDB does not know), at the fixture's line; with
 * `exact` (given rows) also one the cast would round or truncate. One query for the whole table, and one per
 * column only to locate a failure. */
export async function checkTypes(
  session: Session,
  name: string,
  rows: FixtureRows,
  types: Readonly<Record<string, string>>,
  file: string,
  what: string,
  exact = false,
): Promise<void> {
  const typed = rows.columns.filter((c) => types[c] && types[c] !== 'VARCHAR');
  if (typed.length === 0 || rows.rows.length === 0) return;
  const bad = (c: string) => misfits(c, types[c], exact);
  try {
    const first = (
      await session.query(`SELECT ${typed.map((c, i) => `bool_or(${bad(c)}) AS c${i}`).join(', ')} FROM ${ident(name)}`)
    ).rows[0];
    if (typed.every((_, i) => !first[`c${i}`])) return;
  } catch {
    // a type DuckDB does not know: found column by column below
  }
  for (const column of typed) {
    let found;
    try {
      found = await firstMisfit(session, name, column, types[column], exact);
    } catch (error) {
      throw new FixtureError(
        `${what}: column ${column} has type "${types[column]}", which DuckDB does not know: ${sqlMessage(error).split('\n')[0]}`,
        { file, line: rows.line },
      );
    }
    if (found) throw misfit(found, column, types[column], file, what);
  }
}

/** The error for a value its column's type cannot hold, or holds only rounded. */
function misfit(
  found: { line: unknown; value: string; became: string | null },
  column: string,
  type: string,
  file: string,
  what: string,
): FixtureError {
  const time = type === 'DATE' || type.startsWith('TIMESTAMP');
  if (found.became !== null)
    return new FixtureError(
      `${what}: "${found.value}" in column ${column} is not a ${type} exactly: it would become ${found.became}`,
      {
        file,
        line: Number(found.line),
        hint: `write the value the column holds (${found.became}), or give the column another type under types:`,
      },
    );
  return new FixtureError(`${what}: "${found.value}" in column ${column} is not a ${type}`, {
    file,
    line: Number(found.line),
    hint: time ? 'write dates as YYYY-MM-DD and times as YYYY-MM-DD HH:MM:SS' : `give a ${type} value, or NULL`,
  });
}

/** `CAST(col AS type) AS col, …` for the columns, in order. */
export const castColumns = (columns: readonly string[], types: Readonly<Record<string, string>>) =>
  columns.map((c) => (types[c] ? `CAST(${ident(c)} AS ${types[c]}) AS ${ident(c)}` : ident(c))).join(', ');

/** The column types of an existing table or view (lower-cased names kept as DuckDB reports them). */
export async function typesOf(session: Session, table: string): Promise<Record<string, string>> {
  const { rows } = await session.query(`DESCRIBE ${table}`);
  return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
}

/** Creates one given table (and its schema) with its rows. `ddl`: the project's CREATE TABLE for it. */
async function createGiven(
  session: Session,
  given: GivenTable,
  index: number,
  dir: string,
  file: string,
  ddl?: string,
): Promise<void> {
  const name = `__ducksteps_given_${index}`;
  const sniffed = await loadText(session, given, dir, name);
  const parts = given.table.split('.');
  if (parts.length > 1) await session.run(`CREATE SCHEMA IF NOT EXISTS ${parts.slice(0, -1).join('.')}`);
  if (!ddl) {
    const types = { ...sniffed, ...given.types };
    await checkTypes(session, name, given, types, file, given.table, true);
    await session.run(
      `CREATE TABLE ${given.table} AS SELECT ${castColumns(given.columns, types)} FROM ${ident(name)} ORDER BY ${LINE}`,
    );
    return;
  }
  await session.run(ddl);
  for (const [column, type] of Object.entries(given.types))
    await session.run(`ALTER TABLE ${given.table} ALTER ${ident(column)} TYPE ${type}`);
  const types = await typesOf(session, given.table);
  const unknown = given.columns.find((c) => !(c in types));
  if (unknown)
    throw new FixtureError(
      `${given.table} has no column "${unknown}" (the project creates it with: ${Object.keys(types).join(', ')})`,
      { file, line: given.line },
    );
  await checkTypes(session, name, given, types, file, given.table, true);
  await session.run(
    `INSERT INTO ${given.table} BY NAME SELECT ${castColumns(given.columns, types)} FROM ${ident(name)} ORDER BY ${LINE}`,
  );
}

/** Creates every given table before the step runs; a mistake in one is a FixtureError at its line. */
export async function createGivenTables(
  session: Session,
  given: readonly GivenTable[],
  ddl: Readonly<Record<string, string>>,
  dir: string,
  file: string,
): Promise<void> {
  for (const [i, g] of given.entries()) {
    try {
      await createGiven(session, g, i, dir, file, ddl[g.table.toLowerCase()]);
    } catch (error) {
      if (error instanceof FixtureError) throw error;
      throw new FixtureError(`given ${g.table} cannot be created: ${sqlMessage(error).split('\n')[0]}`, {
        file,
        line: g.line,
        hint: 'check the table name (schema.table) and the types: under it',
      });
    }
  }
}
