// Publish kind `file`: a query's rows to a Parquet, CSV or JSON file, written under a temporary name beside
// it and renamed into place, so a reader sees the previous file or the new one, never half of one.
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { sqlString } from '../sql/quote.js';
import type { PublishKind } from './kind.js';

const FORMATS: Record<string, string> = { parquet: 'FORMAT parquet, COMPRESSION zstd', csv: 'FORMAT csv, HEADER', json: 'FORMAT json', jsonl: 'FORMAT json', ndjson: 'FORMAT json' };

const formatOf = (destination: string) => FORMATS[destination.split('.').pop()!.toLowerCase()];

export const fileKind: PublishKind = {
  name: 'file',
  example: 'output/daily.parquet',
  modes: ['replace'],
  fields: {},
  check(target) {
    if (!formatOf(target.destination)) return { message: `cannot tell the file format of ${target.destination}`, hint: 'end the path with .parquet, .csv or .json' };
    return undefined;
  },
  async deliver({ session, target, sql, projectRoot }) {
    const path = resolve(projectRoot, target.destination);
    const temporary = `${path}.ducksteps-${process.pid}.tmp`;
    mkdirSync(dirname(path), { recursive: true });
    try {
      const { rowsChanged } = await session.run(`COPY (${sql}) TO ${sqlString(temporary)} (${formatOf(target.destination)})`);
      renameSync(temporary, path);
      return { rows: rowsChanged, bytes: statSync(path).size };
    } finally {
      rmSync(temporary, { force: true });
    }
  },
  writes: (target) => ({ files: [target.destination], tables: [] }),
};
