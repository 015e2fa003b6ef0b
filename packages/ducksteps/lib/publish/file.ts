// Publish kind `file`: a query's rows to a Parquet, CSV or JSON file, written under a temporary name beside
// it and renamed into place, so a reader sees the previous file or the new one, never half of one. A file
// keeps no record of batches: {{ pending_batches }} is the batches this run committed.
import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { sqlString } from '../sql/quote.js';
import type { PublishKind } from './kind.js';

const FORMATS: Record<string, string> = {
  parquet: 'FORMAT parquet, COMPRESSION zstd',
  csv: 'FORMAT csv, HEADER',
  json: 'FORMAT json',
  jsonl: 'FORMAT json',
  ndjson: 'FORMAT json',
};

const formatOf = (destination: string) => FORMATS[destination.split('.').pop()!.toLowerCase()];

/** A JSON string, or a bare NaN / Infinity / -Infinity that DuckDB writes and JSON has no word for. */
const NON_FINITE = /"(?:[^"\\]|\\.)*"|-?\bInfinity\b|\bNaN\b/g;

/** Rewrites DuckDB's JSON lines with NaN and ±Infinity as null (as JSON.stringify does): otherwise no JSON
 * reader can read the file. Strings that spell them are left alone. */
async function finiteJson(path: string): Promise<void> {
  const fixed = `${path}.finite`;
  const out = createWriteStream(fixed);
  try {
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      const text = /NaN|Infinity/.test(line) ? line.replace(NON_FINITE, (m) => (m.startsWith('"') ? m : 'null')) : line;
      if (!out.write(`${text}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    renameSync(fixed, path);
  } finally {
    out.destroy();
    rmSync(fixed, { force: true });
  }
}

export const fileKind: PublishKind = {
  name: 'file',
  example: 'output/daily.parquet',
  modes: ['replace'],
  fields: {},
  check(target) {
    if (!formatOf(target.destination))
      return {
        message: `cannot tell the file format of ${target.destination}`,
        hint: 'end the path with .parquet, .csv or .json',
      };
    return undefined;
  },
  async deliver({ session, target, sql, projectRoot }) {
    const path = resolve(projectRoot, target.destination);
    const temporary = `${path}.ducksteps-${process.pid}.tmp`;
    mkdirSync(dirname(path), { recursive: true });
    try {
      const { rowsChanged } = await session.run(
        `COPY (${sql}) TO ${sqlString(temporary)} (${formatOf(target.destination)})`,
      );
      if (
        formatOf(target.destination) === FORMATS.json &&
        (await session.query(`DESCRIBE (${sql})`)).rows.some((r) => /FLOAT|DOUBLE/.test(String(r.column_type)))
      )
        await finiteJson(temporary);
      renameSync(temporary, path);
      return { rows: rowsChanged, bytes: statSync(path).size };
    } finally {
      rmSync(temporary, { force: true });
    }
  },
  writes: (target) => ({ files: [target.destination], tables: [] }),
};
