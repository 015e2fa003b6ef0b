// `ducksteps init DIR [--example | --empty]` (`./run.sh init ../shop` in a checkout, `npx ducksteps init shop`):
// a new project that installs and runs green at once.
import { relative } from 'node:path';
import { UsageError } from '../errors.js';
import { initProject, type Starter } from '../init/init.js';
import { packageVersion } from '../init/package.js';
import type { CommandContext } from './context.js';

const shellPath = (path: string) => (/^[\w./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`);

/** Makes the project, then says what was made and the next three commands. */
export async function initCommand({ flags, args }: CommandContext): Promise<number> {
  if (!args[0])
    throw new UsageError('init needs the folder to make the project in', {
      hint: 'e.g. ducksteps init shop (or ./run.sh init ../shop in a ducksteps checkout)',
    });
  if (flags.example && flags.empty)
    throw new UsageError('--example and --empty cannot go together', {
      hint: '--example: the shop example; --empty: no step at all; neither: a two-step starter',
    });
  const starter: Starter = flags.example ? 'example' : flags.empty ? 'empty' : 'starter';
  const made = initProject(args[0], starter);
  const where = relative(process.cwd(), made.dir) || '.';
  const steps = made.files.filter((f) => f.startsWith('sql/') || f.startsWith('tests/') || f.startsWith('publish/'));
  const out = [
    `created ${where}/: a ducksteps ${packageVersion()} project, package.json "name": "${made.name}"`,
    starter === 'empty'
      ? '  no step yet: ./run.sh new NAME makes the first'
      : `  ${starter === 'example' ? 'the shop example' : 'a starter'}: ${steps.length} files in sql/, tests/ and publish/`,
    `  ${made.tarball}: the ducksteps it installs ("ducksteps": "file:${made.tarball}" in package.json)`,
    `next: ${where === '.' ? '' : `cd ${shellPath(where)} && `}./install.sh && ./run.sh   (README.md says what is where)`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
