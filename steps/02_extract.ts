// Step 02_extract: before reading the landing files, check that each one is there and record its size
// and SHA-256 in raw.landing_files, so every build says exactly which input files it was made from.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from '../lib/step-script.js';
import { sha256Of } from './shared/checksum.js';

const FILES = ['customers', 'products', 'orders'];

export async function before(ctx: StepContext): Promise<void> {
  const dir = ctx.vars.landing_dir ?? 'data/landing';
  const rows: string[] = [];
  for (const name of FILES) {
    const path = join(ctx.projectRoot, dir, `${name}.csv`);
    if (!existsSync(path)) {
      throw Object.assign(new Error(`landing file ${dir}/${name}.csv is missing`), {
        hint: 'run the whole pipeline (./run.sh) so 01_generate writes it, or copy the file there',
      });
    }
    const sha256 = await sha256Of(path);
    rows.push(`('${name}', '${dir}/${name}.csv', ${statSync(path).size}, '${sha256}')`);
  }
  await ctx.db.run('CREATE SCHEMA IF NOT EXISTS raw');
  await ctx.db.run('CREATE OR REPLACE TABLE raw.landing_files (name VARCHAR, path VARCHAR, bytes BIGINT, sha256 VARCHAR)');
  await ctx.db.run(`INSERT INTO raw.landing_files VALUES ${rows.join(', ')}`);
}
