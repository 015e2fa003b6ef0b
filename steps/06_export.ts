// Step 06_export: creates output/ before the SQL exports, then writes output/manifest.json with each
// file's row count, size and SHA-256, so the consumer can verify it read complete, unaltered files.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from '../lib/worker/step-script.js';
import { sha256Of } from './shared/checksum.js';

const EXPORTS = [
  { file: 'customer_features.parquet', table: 'mart.customer_features' },
  { file: 'daily_revenue.csv', table: 'mart.daily_revenue' },
  { file: 'rejected_orders.csv', table: 'core.rejected_orders' },
];

const outputDir = (ctx: StepContext) => join(ctx.projectRoot, ctx.vars.output_dir ?? 'output');

export function before(ctx: StepContext): void {
  mkdirSync(outputDir(ctx), { recursive: true });
}

export async function after(ctx: StepContext): Promise<void> {
  const files = [];
  for (const { file, table } of EXPORTS) {
    const path = join(outputDir(ctx), file);
    const { rows } = await ctx.db.query(`SELECT count(*) AS n FROM ${table}`);
    const sha256 = await sha256Of(path);
    files.push({ file, table, rows: Number(rows[0].n), bytes: statSync(path).size, sha256 });
  }
  const manifest = { pipeline: 'ducksteps example', orders: Number(ctx.vars.orders), files };
  writeFileSync(join(outputDir(ctx), 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  ctx.log(`manifest: ${files.map((f) => `${f.file} (${f.rows} rows)`).join(', ')}`);
}
