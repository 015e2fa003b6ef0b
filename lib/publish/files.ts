// Delivers a query's rows to a file (Parquet, CSV, JSON): written under a temporary name beside it, then
// renamed into place, so a reader sees the previous file or the new one, never half of one.
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Delivered } from './postgres.js';

const FORMATS: Record<string, string> = { parquet: 'FORMAT parquet, COMPRESSION zstd', csv: 'FORMAT csv, HEADER', json: 'FORMAT json', jsonl: 'FORMAT json', ndjson: 'FORMAT json' };

/** `run` executes one statement on the worker's DuckDB connection and returns the rows it wrote. */
export async function deliverToFile(root: string, destination: string, sql: string, run: (sql: string) => Promise<number>): Promise<Delivered> {
  const path = resolve(root, destination);
  const temporary = `${path}.ducksteps-${process.pid}.tmp`;
  const format = FORMATS[destination.split('.').pop()!.toLowerCase()];
  mkdirSync(dirname(path), { recursive: true });
  try {
    const rows = await run(`COPY (${sql}) TO '${temporary.replace(/'/g, "''")}' (${format})`);
    renameSync(temporary, path);
    return { rows, bytes: statSync(path).size };
  } finally {
    rmSync(temporary, { force: true });
  }
}
