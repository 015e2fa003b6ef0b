// A fixture's rows: a small CSV block (header line, then one line per row) read by csv-parse. Unquoted cells are
// trimmed (so columns may be aligned); NULL or an empty cell is NULL, "" is the empty string, "NULL" the word;
// a line starting with # is a comment. Every row must have the header's number of cells.
import { parse } from 'csv-parse/sync';
import { FixtureError } from '../errors.js';
import type { FixtureRows } from '../unit-tests.js';

type Cast = (value: string, context: { quoting: boolean }) => string | null;
const cell: Cast = (value, context) => (context.quoting ? value : value === 'NULL' || value === '' ? null : value);

/** Parses a block whose first line is at `line` of `file`; throws FixtureError at the offending line. */
export function parseRows(text: string, file: string, line: number): FixtureRows {
  let records: Array<{ record: Array<string | null>; info: { lines: number } }>;
  try {
    records = parse(text as string, {
      trim: true,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      cast: cell as never,
    }) as unknown as typeof records;
  } catch (cause) {
    const at = (cause as { lines?: number }).lines;
    throw new FixtureError(
      `the rows cannot be read as CSV: ${(cause as Error).message.replace(/^Invalid Record Length: |^Quote Not Closed: /, '')}`,
      {
        file,
        line: at ? line + at - 1 : line,
        cause,
        hint: 'one row per line, cells separated by commas; quote a cell holding a comma or a quote ("a,b", "say ""hi""")',
      },
    );
  }
  const [header, ...rows] = records;
  if (!header)
    throw new FixtureError('the rows have no header line', {
      file,
      line,
      hint: 'the first line names the columns: order_id,customer_id',
    });
  const columns = header.record.map((c, i) => {
    if (!c)
      throw new FixtureError(`column ${i + 1} of the header has no name`, {
        file,
        line: line + header.info.lines - 1,
        hint: 'name every column in the first line',
      });
    return c;
  });
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice)
    throw new FixtureError(`column "${twice}" is named twice in the header`, {
      file,
      line: line + header.info.lines - 1,
    });
  for (const r of rows) {
    if (r.record.length !== columns.length) {
      throw new FixtureError(
        `this row has ${r.record.length} cell${r.record.length === 1 ? '' : 's'}, the header ${columns.length}`,
        {
          file,
          line: line + r.info.lines - 1,
          hint: `give every column a cell (${columns.join(',')}); NULL for none, "" for an empty string`,
        },
      );
    }
  }
  return {
    columns,
    rows: rows.map((r) => r.record),
    lines: rows.map((r) => line + r.info.lines - 1),
    line: line + header.info.lines - 1,
  };
}

/** A cell written back into a block: NULL, "" and text that needs quoting quoted. */
export function rowCell(value: string | null): string {
  if (value === null) return 'NULL';
  return value === '' || value === 'NULL' || /[",\r\n#]/.test(value) || value !== value.trim()
    ? `"${value.replace(/"/g, '""')}"`
    : value;
}
