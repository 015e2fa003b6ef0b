// `./run.sh docs`: write docs/pipeline.md from the project and its logs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext } from './commands.js';
import { loadSettings, type CliSettings } from '../project/config.js';
import { discover } from '../project/discover.js';
import { pipelineDoc } from '../report/pipeline-doc.js';

export async function docsCommand({ root, flags }: CommandContext): Promise<number> {
  const text = await pipelineDoc(discover(root), loadSettings(root, flags as CliSettings));
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'docs', 'pipeline.md'), text);
  process.stdout.write('wrote docs/pipeline.md\n');
  return 0;
}
