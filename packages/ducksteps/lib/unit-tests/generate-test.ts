// `create-test`: a unit test made from the real warehouse. The step's read tables (its lineage) are read
// read-only through `query` jobs, filtered by the user's --where expressions (each applies to every table
// that has every column it names, or to the one table it is prefixed with: "raw.customers: customer_id < 3");
// an incremental step gets the batch holding the rows asked for (read-tables.ts) and its landing files, cut
// short. The step then runs
// on those rows in a unit job, and what it produces becomes the expected rows, for the user to review.
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { UsageError } from '../errors.js';
import type { Project, Settings, Step } from '../model.js';
import { runJob } from '../processes/pool.js';
import type { QueryResult } from '../protocol.js';
import { archivePath, baseOf } from '../project/inputs.js';
import { sqlString } from '../sql/quote.js';
import type { DiffCell, FixtureFile, GivenTable, UnitTest, UnitTestResult } from '../unit-tests.js';
import { connectionOf, pipelineOf } from '../project/pipeline.js';

export interface Filter {
  readonly table?: string; // only this table ("table: expression"), else every table with its columns
  readonly sql: string;
  readonly columns: readonly string[]; // the column names it references (DuckDB's parser)
}

/** Runs read-only queries on the warehouse; a failure is a usage error saying so. */
export async function ask(
  project: Project,
  settings: Settings,
  queries: readonly string[],
  what: string,
): Promise<QueryResult[]> {
  const answer = await runJob(project.root, { kind: 'query', connection: connectionOf(project, settings), queries });
  if ('died' in answer) throw new UsageError(`cannot read the warehouse: ${answer.died.message}`);
  if ('error' in answer.result)
    throw new UsageError(`cannot read ${what} from the warehouse: ${answer.result.error}`, {
      hint: 'create-test reads what a run built: run the pipeline (./run.sh) first, and check --db',
    });
  return [...answer.result.results];
}

/** Column names an expression references, from DuckDB's parser (json_serialize_sql). */
function columnRefs(json: string, where: string): string[] {
  const tree = JSON.parse(json) as { error?: boolean; error_message?: string };
  if (tree.error)
    throw new UsageError(`--where "${where}" does not parse: ${tree.error_message}`, {
      hint: 'a SQL condition, e.g. --where "customer_id IN (1, 2)"',
    });
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as { class?: string; column_names?: string[] };
      if (n.class === 'COLUMN_REF' && n.column_names) names.add(n.column_names.at(-1)!.toLowerCase());
      Object.values(node).forEach(walk);
    }
  };
  walk((tree as { statements?: Array<{ node: { where_clause: unknown } }> }).statements?.[0]?.node.where_clause);
  return [...names];
}

/** The --where expressions with the columns each names ("table: expression" keeps its table). */
export async function parseFilters(
  project: Project,
  settings: Settings,
  wheres: readonly string[],
  reads: readonly string[],
): Promise<Filter[]> {
  const parsed = wheres.map((w) => {
    const m = w.match(/^\s*([\w."]+)\s*:\s*([\s\S]+)$/);
    const table =
      m && reads.includes(m[1].replace(/"/g, '').toLowerCase()) ? m[1].replace(/"/g, '').toLowerCase() : undefined;
    if (m && !table && /\./.test(m[1]))
      throw new UsageError(`--where "${w}": the step does not read ${m[1]}`, { hint: `it reads: ${reads.join(', ')}` });
    return { table, sql: table ? m![2] : w };
  });
  if (parsed.length === 0) return [];
  const trees = await ask(
    project,
    settings,
    parsed.map((p) => `SELECT json_serialize_sql(${sqlString(`SELECT * FROM t WHERE ${p.sql}`)}) AS j`),
    'the --where expressions',
  );
  return parsed.map((p, i) => ({ ...p, columns: columnRefs(String(trees[i].rows[0].j), p.sql) }));
}

/** Which filters apply to a table with these columns. */
export const filtersFor = (table: string, columns: readonly string[], filters: readonly Filter[]) =>
  filters.filter((f) =>
    f.table ? f.table === table : f.columns.length > 0 && f.columns.every((c) => columns.includes(c.toLowerCase())),
  );

/** A file's first lines: the header and `limit` more (the note says what was left out). */
export function cutFile(path: string, limit: number): { content: string; note?: string } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const body = lines.at(-1) === '' ? lines.slice(0, -1) : lines;
  if (body.length <= limit + 1) return { content: `${body.join('\n')}\n` };
  return {
    content: `${body.slice(0, limit + 1).join('\n')}\n`,
    note: `the first ${limit} of ${body.length - 1} lines (keep the ones that matter)`,
  };
}

/** The SQL condition keeping this pipeline's ledger rows (a ledger from before pipelines: all its rows are this
 * one's), and whether there is a ledger at all. */
async function ledgerRows(project: Project, settings: Settings): Promise<{ exists: boolean; mine: string }> {
  const [ledger] = await ask(
    project,
    settings,
    [
      "SELECT count(*) AS n, bool_or(column_name = 'pipeline') AS keyed FROM duckdb_columns() WHERE schema_name = 'ducksteps' AND table_name = 'step_batches'",
    ],
    'the batch ledger',
  );
  const keyed = ledger.rows[0].keyed === true;
  return {
    exists: Number(ledger.rows[0].n) > 0,
    mine: keyed ? `pipeline = ${sqlString(pipelineOf(project.root).name)}` : 'true',
  };
}

/** The latest batch the step committed (a usage error when it committed none). */
export async function latestBatch(project: Project, settings: Settings, step: Step): Promise<number> {
  const { exists, mine } = await ledgerRows(project, settings);
  const [batch] = exists
    ? await ask(
        project,
        settings,
        [`SELECT max(batch_id) AS id FROM ducksteps.step_batches WHERE ${mine} AND step = ${sqlString(step.id)}`],
        'the batch ledger',
      )
    : [{ rows: [] }];
  const id = Number(batch.rows[0]?.id);
  if (!Number.isInteger(id) || id < 1)
    throw new UsageError(`step ${step.id} has committed no batch yet`, { hint: 'run the pipeline first (./run.sh)' });
  return id;
}

/** A batch's landing files (cut short), from landing or the archive. */
export async function batchFiles(
  project: Project,
  settings: Settings,
  id: number,
  limit: number,
): Promise<Array<FixtureFile & { note?: string }>> {
  const { mine } = await ledgerRows(project, settings);
  const [loaded] = await ask(
    project,
    settings,
    [`SELECT input, path FROM ducksteps.loaded_files WHERE ${mine} AND batch_id = ${id} ORDER BY path`],
    'the batch ledger',
  );
  return loaded.rows.flatMap((r) => {
    const [input, path] = [String(r.input), String(r.path)];
    const archived = settings.archive ? archivePath(settings.archive, settings.inputs, input, path) : undefined;
    const at = [path, archived].find((p) => p && existsSync(join(project.root, p)));
    return at && settings.inputs[input]
      ? [
          {
            input,
            path: posix.relative(baseOf(settings.inputs[input]), path),
            ...cutFile(join(project.root, at), limit),
          },
        ]
      : [];
  });
}

/** The given table as the unit job takes it (rows as read, lines numbered as written). */
export const givenTable = (
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly DiffCell[]>,
  types: Record<string, string>,
): GivenTable => ({ table, columns, rows, lines: rows.map((_, i) => i + 2), line: 1, types });

/** The test to capture: no expected tables yet (the unit job returns the step's tables instead). */
export const captureTest = (
  step: Step,
  name: string,
  now: string,
  vars: Readonly<Record<string, string>>,
  given: readonly GivenTable[],
  files: readonly FixtureFile[],
  batch?: number,
): UnitTest => ({
  name,
  step: step.id,
  file: `tests/unit/${step.id}.yaml`,
  line: 1,
  vars,
  now,
  timeZone: 'UTC',
  batch: batch ? { id: batch, fullRefresh: false } : undefined,
  files,
  given,
  expect: [],
});

export type { UnitTestResult };
