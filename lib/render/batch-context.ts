// What an incremental step's templates see as `batch`: the files of the batch it processes, ready for
// read_csv([...]), per declared input.
import { sqlString } from '../sql/quote.js';
import type { Batch } from '../model.js';

export interface BatchContext {
  readonly id: number;
  readonly full_refresh: boolean;
  readonly number: number; // 1-based position among this run's batches
  readonly of: number; // how many batches this run processes
  readonly files: Readonly<Record<string, string>>; // input -> SQL list literal: ['a.csv', 'b.csv']
  readonly count: Readonly<Record<string, number>>; // input -> how many files (empty files left out)
  readonly paths: Readonly<Record<string, readonly string[]>>; // input -> the same paths as an array
  readonly all_files: string; // every input's files, one SQL list
}

const sqlList = (paths: readonly string[]) => `[${paths.map(sqlString).join(', ')}]`;

/** The template view of a batch. Empty (0-byte) files are recorded as loaded but not read: DuckDB
 * cannot read a file without a header. */
export function batchContext(batch: Batch, inputs: Readonly<Record<string, string>>, number: number, of: number): BatchContext {
  const paths: Record<string, string[]> = Object.fromEntries(Object.keys(inputs).map((name) => [name, []]));
  for (const file of batch.files) if (file.size > 0) (paths[file.input] ??= []).push(batch.location[file.path] ?? file.path);
  return {
    id: batch.id, full_refresh: batch.fullRefresh, number, of, paths,
    files: Object.fromEntries(Object.entries(paths).map(([name, list]) => [name, sqlList(list)])),
    count: Object.fromEntries(Object.entries(paths).map(([name, list]) => [name, list.length])),
    all_files: sqlList(Object.values(paths).flat()),
  };
}

/** For compile and docs, which run nothing: every input's glob stands for its files. */
export function previewBatch(inputs: Readonly<Record<string, string>>): BatchContext {
  const paths = Object.fromEntries(Object.entries(inputs).map(([name, glob]) => [name, [glob]]));
  return {
    id: 0, full_refresh: false, number: 1, of: 1, paths,
    files: Object.fromEntries(Object.entries(inputs).map(([name, glob]) => [name, sqlList([glob])])),
    count: Object.fromEntries(Object.keys(inputs).map((name) => [name, 1])),
    all_files: sqlList(Object.values(inputs)),
  };
}
