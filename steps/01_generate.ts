// Step 01_generate: the simulated source system. After the SQL has exported the customer and product
// snapshots (each put in place only when it changed) and defined orders_of_day(d), writes the day files that are missing: days 1..vars.days
// (default 30), one orders_YYYY-MM-DD.csv each. A day already delivered (in landing, or archived after
// loading) is not written again, so `--var days=31` is "the next day arrived". Each file is written under
// a temporary name and renamed into place (the convention readers rely on), after malformed lines are
// appended the way a broken upstream export writes them (SQL's COPY cannot write a bad line on purpose).
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StepContext } from 'ducksteps';

const landing = (ctx: StepContext) => ctx.vars.landing_dir ?? 'data/landing';
const FIRST_DAY = Date.UTC(2024, 0, 1);

/** 1 -> orders_2024-01-01.csv */
export const dayFile = (day: number) =>
  `orders_${new Date(FIRST_DAY + (day - 1) * 86_400_000).toISOString().slice(0, 10)}.csv`;

/** Lines a broken export writes: too many fields, the wrong delimiter, too few fields (unique ids per day). */
export const malformedLines = (day: number) => {
  const id = 9_000_000_000 + day * 10;
  return [
    `${id + 1},17,3,2024-05-01,2,19.99,web,0,unexpected extra field`,
    `${id + 2};17;3;2024-05-01;2;19.99;web;0`,
    `${id + 3},17`,
  ];
};

export function before(ctx: StepContext): void {
  mkdirSync(join(ctx.projectRoot, landing(ctx), 'orders'), { recursive: true });
}

/** A snapshot the SQL wrote as NAME.csv.new replaces NAME.csv only when its content differs: an unchanged
 * export leaves the file (and its modification time) as it was, so nothing downstream sees a new snapshot. */
function publishSnapshot(ctx: StepContext, name: string): boolean {
  const target = join(ctx.projectRoot, landing(ctx), `${name}.csv`);
  const fresh = `${target}.new`;
  if (existsSync(target) && readFileSync(target).equals(readFileSync(fresh))) {
    rmSync(fresh);
    return false;
  }
  renameSync(fresh, target);
  return true;
}

export async function after(ctx: StepContext): Promise<void> {
  const snapshots = ['customers', 'products'].filter((name) => publishSnapshot(ctx, name));
  const days = Number(ctx.vars.days ?? 30);
  if (!Number.isInteger(days) || days < 1)
    throw Object.assign(new Error(`vars.days must be a whole number >= 1, got "${ctx.vars.days}"`), {
      hint: 'e.g. --var days=31',
    });
  const folder = join(ctx.projectRoot, landing(ctx), 'orders');
  const archived = join(ctx.projectRoot, ctx.vars.archive_dir ?? 'data/archive', 'orders');
  let written = 0;
  for (let day = 1; day <= days; day++) {
    const name = dayFile(day);
    if (existsSync(join(folder, name)) || existsSync(join(archived, name))) continue;
    const temporary = join(folder, `${name}.tmp`);
    await ctx.db.run(
      `COPY (FROM orders_of_day(${day})) TO '${temporary.replace(/'/g, "''")}' (FORMAT csv, HEADER, DELIMITER ',')`,
    );
    appendFileSync(temporary, `${malformedLines(day).join('\n')}\n`);
    renameSync(temporary, join(folder, name));
    written++;
  }
  ctx.log(
    written === 0
      ? `no new day files (days 1..${days} are delivered)`
      : `${written} new day file${written === 1 ? '' : 's'} in ${landing(ctx)}/orders (days 1..${days})`,
  );
  if (snapshots.length > 0) ctx.log(`new ${snapshots.join(' and ')} snapshot${snapshots.length === 1 ? '' : 's'}`);
}
