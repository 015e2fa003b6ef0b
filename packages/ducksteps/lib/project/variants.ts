// An engine's variant of a file (`NAME.ENGINE.sql`, `NAME.duckdb.sql`) replaces `NAME.sql` on that engine. A
// variant whose NAME matches no file of its step — a typo, `01_mian.ENGINE.sql` beside `01_main.sql` — replaces
// nothing: on its engine it runs as well as the file it was meant for. That is legal (a statement only one
// engine needs), so it is a warning, given when the step has a file the variant probably meant.
import { VARIANT } from '../engines/traits.js';
import { closest } from './closest.js';

const number = (name: string) => /^\d+_/.exec(name)?.[0];

/** Warnings for the variants in one step folder (`dir`, its `.sql` file names) that replace no file. */
export function loneVariants(dir: string, names: readonly string[]): string[] {
  const bases = names.filter((n) => !VARIANT.test(n)).map((n) => n.slice(0, -'.sql'.length));
  const warnings: string[] = [];
  for (const name of names) {
    const variant = VARIANT.exec(name);
    if (!variant || bases.includes(variant[1])) continue;
    const [, base, engine] = variant;
    const free = bases.filter((b) => !names.includes(`${b}.${engine}.sql`)); // no variant for this engine yet
    const meant = closest(base, free, 2) ?? free.find((b) => number(b) !== undefined && number(b) === number(base));
    if (!meant) continue;
    warnings.push(
      `${dir}/${name} replaces no file (there is no ${base}.sql), so on ${engine} it runs as well as ${meant}.sql: rename it ${meant}.${engine}.sql if it should replace that file`,
    );
  }
  return warnings;
}
