// SQL quoting, the one place for it: a value as a string literal, a name as an identifier. Both processes
// (templates in the driver, the ledger and publish in the worker) quote through here.

/** A value as a SQL string literal: 'it''s'. */
export const sqlString = (value: unknown): string => `'${String(value).replace(/'/g, "''")}'`;

/** A name as a quoted SQL identifier: "my ""table""". */
export const sqlIdent = (value: unknown): string => `"${String(value).replace(/"/g, '""')}"`;

/** A number as itself, anything else as a string literal (assertion macros' accepted values). */
export const sqlLiteral = (value: unknown): string => (typeof value === 'number' ? String(value) : sqlString(value));

/** A file path that DuckDB's file readers take literally: their glob characters * ? [ are each wrapped in
 * brackets ([*] matches only a *), so a file named "*.csv" is that file alone, not every .csv file. */
export const literalPath = (path: string): string => path.replace(/[*?[]/g, (c) => `[${c}]`);
