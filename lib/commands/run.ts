// `./run.sh [run]`: build every step, print as it goes, then the summary; exit 0 or 1.
import { build, type BuildOptions } from '../build.js';
import type { CommandContext } from '../commands.js';
import { loadSettings, type CliSettings } from '../config.js';
import { consoleEvents, printSummary } from '../console.js';
import { detectStyle } from '../report.js';

export async function runCommand({ root, flags }: CommandContext, only: Partial<BuildOptions> = {}): Promise<number> {
  const settings = loadSettings(root, flags as CliSettings);
  const style = detectStyle();
  const write = (text: string) => process.stdout.write(`${text}\n`);
  const result = await build({ root, settings, events: consoleEvents(style, write), ...only });
  printSummary(style, write, result);
  return result.status === 'ok' ? 0 : 1;
}
