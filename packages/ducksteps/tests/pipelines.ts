// Projects of named pipelines for the tests of separate ledgers (pipelines.test.ts on a DuckDB file,
// lake-trust.test.ts on a lake), and the previous version's ledger shape.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOAD = (table: string) => `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS ${table} (batch_id INTEGER, v INTEGER);
{% if batch.full_refresh %}DELETE FROM ${table};{% endif %}
INSERT INTO ${table} SELECT {{ batch.id }}, v FROM read_csv({{ batch.files.ev }}, header = true, columns = {'v': 'INTEGER'});`;

/** A project of pipeline `name` loading data/landing/*.csv into `table`, with the given landing files. */
export function pipelineProject(root: string, name: string, table: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const folder of ['sql/01_load', 'data/landing']) mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, ducksteps: { inputs: { ev: 'data/landing/*.csv' } } }),
  );
  writeFileSync(join(dir, 'sql/01_load/a.sql'), LOAD(table));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, 'data/landing', file), text);
  return dir;
}

/** Turns a ledger back into what the previous version made: no pipeline column. */
export const OLD_LEDGER = ['batches', 'loaded_files', 'step_batches'].map(
  (table) => `ALTER TABLE ducksteps.${table} DROP COLUMN pipeline`,
);
