// What a landing file's content is: its SHA-256 (its identity in the ledger) and its line ends (DuckDB
// reads a list of CSV files with the first file's line ends). Files are opened a few at a time, so a
// backlog of thousands stays far below the open-files limit (ulimit -n).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import pMap from 'p-map';
import { BatchError } from '../errors.js';

/** How many landing files are read at once. */
export const OPEN_AT_ONCE = 8;

/** A file's line ends: 'crlf', 'lf', or 'any' (no line end in its first 64 kB, binary or compressed). */
export type LineEnds = 'crlf' | 'lf' | 'any';

const unreadable = (path: string, cause: unknown) =>
  new BatchError(`cannot read landing file ${path} (${(cause as NodeJS.ErrnoException).code ?? 'unreadable'})`, {
    cause,
    hint: 'check its permissions (the run user must be able to read it); it stays pending until it can be read',
  });

/** SHA-256 of a file, read as a stream; an unreadable file is a clear error naming it. `signal` stops the read
 * (Ctrl-C, SIGTERM: a stop never waits for a large file to be read to its end). */
export async function sha256Of(root: string, path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(resolve(root, path), { signal })) hash.update(chunk as Buffer);
  } catch (cause) {
    if (signal?.aborted) throw new BatchError(`stopped while ${path} was read`, { cause });
    throw unreadable(path, cause);
  }
  return hash.digest('hex');
}

const BINARY = /\.(parquet|arrow|avro|orc|gz|gzip|zst|bz2|xz|zip|lz4|snappy)$/i;
const SNIFF_BYTES = 64 * 1024;

/** The line ends of a text file, from its first line end. */
export async function lineEndsOf(root: string, path: string): Promise<LineEnds> {
  if (BINARY.test(path)) return 'any';
  const buffer = Buffer.alloc(SNIFF_BYTES);
  let read: number;
  try {
    const handle = await open(resolve(root, path), 'r');
    try {
      ({ bytesRead: read } = await handle.read(buffer, 0, SNIFF_BYTES, 0));
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw unreadable(path, cause);
  }
  const head = buffer.subarray(0, read);
  const lf = head.indexOf(0x0a);
  if (lf < 0 || head.includes(0)) return 'any'; // one line, or binary
  return lf > 0 && head[lf - 1] === 0x0d ? 'crlf' : 'lf';
}

/** Runs `fn` over `items`, OPEN_AT_ONCE at a time, keeping their order. */
export const eachBounded = <T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> =>
  pMap(items, fn, { concurrency: OPEN_AT_ONCE });

/** Cuts a list of files (in order) where their line ends change, so that no read_csv list mixes them
 * (DuckDB 1.5 then yields no rows for the files that differ from the first, silently). */
export function cutAtLineEnds<T>(files: readonly T[], ends: (file: T) => LineEnds): T[][] {
  const runs: T[][] = [];
  let current: LineEnds = 'any';
  for (const file of files) {
    const e = ends(file);
    if (runs.length === 0 || (e !== 'any' && current !== 'any' && e !== current)) {
      runs.push([]);
      current = 'any';
    }
    runs[runs.length - 1].push(file);
    if (e !== 'any') current = e;
  }
  return runs;
}

/** Splits files into batches of at most `size`, never mixing line ends in one batch (DuckDB would read
 * every file of a list with the first one's and yield no rows for the others). */
export async function groupFiles<T extends { readonly at: string }>(
  root: string,
  files: readonly T[],
  size: number | undefined,
): Promise<T[][]> {
  if (files.length === 0) return [];
  const ends = await eachBounded(files, (f) => lineEndsOf(root, f.at));
  const byAt = new Map(files.map((f, i) => [f.at, ends[i]]));
  return cutAtLineEnds(files, (f) => byAt.get(f.at)!).flatMap((run) => {
    if (!size || run.length <= size) return [run];
    const out: T[][] = [];
    for (let i = 0; i < run.length; i += size) out.push(run.slice(i, i + size));
    return out;
  });
}
