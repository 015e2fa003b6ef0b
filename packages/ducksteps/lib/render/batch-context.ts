// What an incremental step's templates see as `batch`: the files of the batch it processes, ready for
// read_csv([...]), per declared input. Paths are literal for DuckDB (a * or ? in a name is not a pattern).
import { BatchError } from '../errors.js';
import { literalPath, sqlString } from '../sql/quote.js';
import type { Batch } from '../model.js';

export interface BatchContext {
  readonly id: number;
  readonly full_refresh: boolean;
  readonly number: number; // 1-based position among this run's batches
  readonly of: number; // how many batches this run processes
  readonly files: Readonly<Record<string, string>>; // input -> SQL list literal: ['a.csv', 'b.csv']
  readonly count: Readonly<Record<string, number>>; // input -> how many files (empty files and duplicates left out)
  readonly paths: Readonly<Record<string, readonly string[]>>; // input -> the same paths as an array (glob characters escaped)
  readonly all_files: string; // every input's files, one SQL list
}

const sqlList = (paths: readonly string[]) => `[${paths.map(sqlString).join(', ')}]`;

const goneError = (path: string, batchId: number) =>
  new BatchError(
    `landing file ${path} of batch ${batchId} is needed again but is gone (neither in landing nor in the archive)`,
  );

/** A view whose input `name` throws when read while one of its files is gone: only a step that reads the
 * files fails (a later step that works on the earlier steps' tables does not need them). */
function guarded<T>(values: Record<string, T>, gone: ReadonlyMap<string, string>, batchId: number): Record<string, T> {
  const view: Record<string, T> = {};
  for (const name of Object.keys(values)) {
    Object.defineProperty(view, name, {
      enumerable: true,
      get: () => {
        const path = gone.get(name);
        if (path !== undefined) throw goneError(path, batchId);
        return values[name];
      },
    });
  }
  return view;
}

/** The template view of a batch. Empty (0-byte) files and duplicates are recorded as loaded but not read:
 * DuckDB cannot read a file without a header, and a duplicate's content is loaded already. */
export function batchContext(
  batch: Batch,
  inputs: Readonly<Record<string, string>>,
  number: number,
  of: number,
): BatchContext {
  const paths: Record<string, string[]> = Object.fromEntries(Object.keys(inputs).map((name) => [name, []]));
  const gone = new Map<string, string>();
  for (const file of batch.files) {
    if (file.size === 0 || file.duplicateOf !== undefined) continue;
    const at = batch.location[file.path];
    if (at === undefined && !gone.has(file.input)) gone.set(file.input, file.path);
    (paths[file.input] ??= []).push(literalPath(at ?? file.path));
  }
  const files = Object.fromEntries(Object.entries(paths).map(([name, list]) => [name, sqlList(list)]));
  const all = sqlList(Object.values(paths).flat());
  return {
    id: batch.id,
    full_refresh: batch.fullRefresh,
    number,
    of,
    paths: guarded(paths, gone, batch.id),
    files: guarded(files, gone, batch.id),
    count: Object.fromEntries(Object.entries(paths).map(([name, list]) => [name, list.length])),
    get all_files() {
      const path = [...gone.values()][0];
      if (path !== undefined) throw goneError(path, batch.id);
      return all;
    },
  };
}

/** For compile and docs, which run nothing: every input's glob stands for its files. */
export function previewBatch(inputs: Readonly<Record<string, string>>): BatchContext {
  const paths = Object.fromEntries(Object.entries(inputs).map(([name, glob]) => [name, [glob]]));
  return {
    id: 0,
    full_refresh: false,
    number: 1,
    of: 1,
    paths,
    files: Object.fromEntries(Object.entries(paths).map(([name, list]) => [name, sqlList(list)])),
    count: Object.fromEntries(Object.keys(inputs).map((name) => [name, 1])),
    all_files: sqlList(Object.values(inputs)),
  };
}
