// `./run.sh doctor`: is everything ducksteps needs here? One line per check (ok / warning / error) with the fix
// under it; exit 1 when a check is an error.
import { doctor } from '../doctor/doctor.js';
import type { CliSettings } from '../project/config.js';
import { detectStyle, mark } from '../report/tables.js';
import { safeText } from '../report/escape.js';
import type { CommandContext } from './context.js';

/** Prints every check and a count; exit 1 when one is an error. */
export async function doctorCommand({ root, flags }: CommandContext): Promise<number> {
  const checks = await doctor(root, flags as CliSettings);
  const style = detectStyle();
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) {
    const sign = mark(style, c.level === 'ok' ? true : c.level === 'warning' ? 'warn' : false);
    process.stdout.write(`${sign} ${c.level.padEnd(7)} ${c.name.padEnd(width)}  ${safeText(c.detail)}\n`);
    if (c.fix) process.stdout.write(`  ${' '.repeat(8 + width)}  fix: ${safeText(c.fix)}\n`);
  }
  const count = (level: string) => checks.filter((c) => c.level === level).length;
  const [warnings, errors] = [count('warning'), count('error')];
  process.stdout.write(
    `doctor: ${count('ok')} ok, ${warnings} warning${warnings === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}\n`,
  );
  return errors > 0 ? 1 : 0;
}
