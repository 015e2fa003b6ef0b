// A small incremental project for the landing-folder tests: events land in data/landing/ev/, two
// incremental steps (load, then a per-batch total), an archive folder unless told otherwise.
import type { Test } from 'tap';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { project, query } from './helpers.js';

export const LOAD = `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS events (batch_id INTEGER, file VARCHAR, id INTEGER, v INTEGER);
{% if batch.full_refresh %}DELETE FROM events;{% endif %}
{% if batch.count.events %}
INSERT INTO events SELECT {{ batch.id }}, parse_filename(filename), id, v FROM read_csv({{ batch.files.events }}, header = true, filename = true, columns = {'id': 'INTEGER', 'v': 'INTEGER'});
{% endif %}`;
export const TOTAL = `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS totals (batch_id INTEGER, n BIGINT, s HUGEINT);
{% if batch.full_refresh %}DELETE FROM totals;{% endif %}
INSERT INTO totals SELECT {{ batch.id }}, count(*), sum(v) FROM events WHERE batch_id = {{ batch.id }};`;

export interface Options {
  readonly archive?: string | false; // default data/archive
  readonly glob?: string; // default data/landing/ev/*.csv
  readonly extra?: Record<string, unknown>; // more "ducksteps" settings
  readonly total?: string; // the second step's SQL
}

/** The project, with `files` (name -> text) in data/landing/ev/. */
export function eventsProject(t: Test, files: Record<string, string> = {}, options: Options = {}): string {
  const settings = {
    inputs: { events: options.glob ?? 'data/landing/ev/*.csv' },
    ...(options.archive === false ? {} : { archive: options.archive ?? 'data/archive' }),
    ...options.extra,
  };
  const dir = project(t, undefined, {
    'package.json': JSON.stringify({ ducksteps: settings }),
    sql: { '01_load': { '01.sql': LOAD }, '02_total': { '01.sql': options.total ?? TOTAL } },
  });
  mkdirSync(join(dir, 'data/landing/ev'), { recursive: true });
  for (const [name, text] of Object.entries(files)) drop(dir, name, text);
  return dir;
}

export const drop = (dir: string, name: string, text: string) =>
  writeFileSync(join(dir, 'data/landing/ev', name), text);
export const db = (dir: string) => join(dir, 'data/warehouse.duckdb');
/** `n` rows with ids from `from`: id,v with v = id * 10. */
export const rows = (from: number, n = 1) =>
  `id,v\n${Array.from({ length: n }, (_, i) => `${from + i},${(from + i) * 10}`).join('\n')}\n`;
export const ids = async (dir: string, where = 'true') =>
  (await query(db(dir), `SELECT id FROM events WHERE ${where} ORDER BY id`)).map((r) => r.id);
export const ledger = async (dir: string) =>
  (await query(db(dir), 'SELECT path, duplicate_of FROM ducksteps.loaded_files ORDER BY path')).map((r) =>
    r.duplicate_of ? `${r.path} = ${r.duplicate_of}` : r.path,
  );
export const listed = (dir: string, folder: string) => {
  try {
    return readdirSync(join(dir, folder)).sort();
  } catch {
    return [];
  }
};
