// Step 01_generate: prepares the landing folder, and after the SQL has written the source files,
// appends malformed lines to orders.csv the way a broken upstream export does (SQL's COPY cannot
// write a bad CSV line on purpose). The extract step must send them to the rejects, not crash.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from '../lib/worker/step-script.js';

const landingDir = (ctx: StepContext) => join(ctx.projectRoot, ctx.vars.landing_dir ?? 'data/landing');

export function before(ctx: StepContext): void {
  mkdirSync(landingDir(ctx), { recursive: true });
}

/** Lines a broken export writes: too many fields, the wrong delimiter, too few fields. */
export const MALFORMED_LINES = [
  '9000000001,17,3,2024-05-01,2,19.99,web,0,unexpected extra field',
  '9000000002;17;3;2024-05-01;2;19.99;web;0',
  '9000000003,17',
];

export function after(ctx: StepContext): void {
  appendFileSync(join(landingDir(ctx), 'orders.csv'), `${MALFORMED_LINES.join('\n')}\n`);
  ctx.log(`landing files in ${ctx.vars.landing_dir ?? 'data/landing'}, ${MALFORMED_LINES.length} malformed order lines appended`);
}
