// Step 02_extract: checks that each landing file is there before reading it, and records its size and
// SHA-256 in raw.landing_files, so every build says exactly which input files it was made from.
// Hashing runs while DuckDB reads the files (started in before(), awaited in after()).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from '../lib/worker/step-script.js';
import { sha256Of } from './shared/checksum.js';

const FILES = ['customers', 'products', 'orders'];
let hashing: Promise<string[]> = Promise.resolve([]);

export function before(ctx: StepContext): void {
  const dir = ctx.vars.landing_dir ?? 'data/landing';
  const paths = FILES.map((name) => ({ name, path: join(ctx.projectRoot, dir, `${name}.csv`) }));
  const missing = paths.find((f) => !existsSync(f.path));
  if (missing) {
    throw Object.assign(new Error(`landing file ${dir}/${missing.name}.csv is missing`), {
      hint: 'run the whole pipeline (./run.sh) so 01_generate writes it, or copy the file there',
    });
  }
  hashing = Promise.all(paths.map(async ({ name, path }) => `('${name}', '${dir}/${name}.csv', ${statSync(path).size}, '${await sha256Of(path)}')`));
}

export async function after(ctx: StepContext): Promise<void> {
  const rows = await hashing;
  await ctx.db.run('CREATE OR REPLACE TABLE raw.landing_files (name VARCHAR, path VARCHAR, bytes BIGINT, sha256 VARCHAR)');
  await ctx.db.run(`INSERT INTO raw.landing_files VALUES ${rows.join(', ')}`);
}
