// `./run.sh show SCHEMA.TABLE [--limit N] [--where EXPR] [--columns a,b] [--csv | --json]`: a table's first
// rows, read-only, from the current warehouse (dbt show, sqlmesh fetchdf).
import { UsageError } from '../errors.js';
import { readWarehouse } from '../inspect/read.js';
import { formatRows } from '../report/rows.js';
import { detectStyle } from '../report/tables.js';
import type { CommandContext } from './context.js';
import { formatOf, limitOf, quoteName, readSettings } from './read-flags.js';

const DEFAULT_LIMIT = 20;

/** The first rows of one table, and how many rows it has, in the format asked for. */
export async function showCommand({ root, flags, args }: CommandContext): Promise<number> {
  const table = args[0];
  if (!table)
    throw new UsageError('show needs a table', {
      hint: 'e.g. ./run.sh show core.orders (./run.sh sql "SHOW ALL TABLES" lists them)',
    });
  const format = formatOf(flags);
  const limit = limitOf(flags, DEFAULT_LIMIT)!;
  const settings = readSettings(root, flags);
  const name = table
    .split('.')
    .map((part) => quoteName(part, settings))
    .join('.');
  const columns =
    typeof flags.columns === 'string'
      ? flags.columns
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean)
      : [];
  const select = columns.length ? columns.map((c) => quoteName(c, settings)).join(', ') : '*';
  const wheres = (flags.where as string[] | undefined) ?? [];
  const where = wheres.length ? ` WHERE ${wheres.map((w) => `(${w})`).join(' AND ')}` : '';
  const [rows, count] = await readWarehouse(
    { root },
    settings,
    [`SELECT ${select} FROM ${name}${where} LIMIT ${limit}`, `SELECT count(*) AS n FROM ${name}${where}`],
    'show',
  );
  process.stdout.write(formatRows(detectStyle(), { ...rows, total: Number(count.rows[0]?.n ?? rows.total) }, format));
  return 0;
}
