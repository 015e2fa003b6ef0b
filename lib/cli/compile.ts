// `./run.sh compile` (and --dry-run): render and parse everything, run nothing; exit 1 on any error.
import type { CommandContext } from './commands.js';
import { compileProject } from '../driver/compile.js';
import { loadSettings, type CliSettings } from '../project/config.js';
import { discover } from '../project/discover.js';
import { newRunId } from '../driver/build.js';
import { counted, detectStyle, errorBlock } from '../report/tables.js';

export async function compileCommand({ root, flags }: CommandContext): Promise<number> {
  const project = discover(root);
  const result = await compileProject(project, loadSettings(root, flags as CliSettings), newRunId());
  const style = detectStyle();
  for (const error of result.errors) process.stdout.write(`${errorBlock(style, error)}\n`);
  const summary = `${counted(result.files, 'file')}, ${counted(result.statements, 'statement')} parsed, ${counted(result.errors.length, 'error')}; compiled SQL in logs/compiled/`;
  process.stdout.write(`${summary}\n`);
  return result.errors.length === 0 ? 0 : 1;
}
