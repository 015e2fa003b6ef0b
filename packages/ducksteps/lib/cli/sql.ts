// `./run.sh sql "SELECT …"` and `./run.sh sql -f file.sql` [--csv | --json] [--limit N]: queries on the current
// warehouse, read-only (DuckDB opens it read-only; on a cluster only queries are sent), each result as a table.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { traitsOf } from '../engines/traits.js';
import { UsageError } from '../errors.js';
import { readWarehouse } from '../inspect/read.js';
import { formatRows } from '../report/rows.js';
import { detectStyle } from '../report/tables.js';
import { splitStatements, statementKind } from '../sql/split.js';
import type { CommandContext } from './context.js';
import { formatOf, limitOf, readSettings } from './read-flags.js';

/** Rows a table shows of each result (--csv and --json give every row unless --limit says otherwise). */
const TABLE_ROWS = 100;
const QUERIES = new Set(['SELECT', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN', 'SUMMARIZE']);

/** The SQL of the command line or of -f FILE (not both). */
function sqlText(root: string, flags: CommandContext['flags'], args: readonly string[]): string {
  const file = flags.file;
  if (typeof file === 'string' && args[0] !== undefined)
    throw new UsageError('sql takes a query or -f FILE, not both', {
      hint: './run.sh sql "SELECT 1" or ./run.sh sql -f query.sql',
    });
  if (typeof file !== 'string') {
    if (!args[0])
      throw new UsageError('sql needs a query', {
        hint: 'e.g. ./run.sh sql "SELECT count(*) FROM core.orders", or -f query.sql',
      });
    return args[0];
  }
  try {
    return readFileSync(resolve(root, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, { file });
  }
}

/** Each statement's rows (a table), or the last one's as CSV or JSON. */
export async function sqlCommand({ root, flags, args }: CommandContext): Promise<number> {
  const format = formatOf(flags);
  const limit = limitOf(flags, format === 'table' ? TABLE_ROWS : undefined);
  const statements = splitStatements(sqlText(root, flags, args)).map((c) => c.text.trim());
  if (statements.length === 0) throw new UsageError('sql was given no statement');
  const settings = readSettings(root, flags);
  const write = statements.find((s) => !QUERIES.has(statementKind(s)));
  const engine = traitsOf(settings.engine);
  if (engine.queriesOnly && write)
    throw new UsageError(
      `sql only reads, and on ${engine.title} it sends queries only: "${write.split('\n')[0].slice(0, 60)}" is a ${statementKind(write)}`,
      {
        hint: 'SELECT, WITH, SHOW, DESCRIBE or EXPLAIN; tables change in a step (./run.sh new NAME)',
      },
    );
  const results = await readWarehouse({ root }, settings, statements, 'sql', limit);
  const style = detectStyle();
  if (format !== 'table')
    process.stdout.write(formatRows(style, results.at(-1)!, format)); // the last statement's rows
  else process.stdout.write(results.map((r) => formatRows(style, r, format)).join('\n'));
  return 0;
}
