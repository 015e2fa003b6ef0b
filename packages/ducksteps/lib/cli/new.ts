// `./run.sh new <name> [--script]`: add the next-numbered step.
import type { CommandContext } from './context.js';
import { discover } from '../project/discover.js';
import { UsageError } from '../errors.js';
import { scaffoldStep } from '../project/scaffold.js';

export async function newCommand({ root, flags, args }: CommandContext): Promise<number> {
  if (args.length !== 1)
    throw new UsageError('new takes one step name', { hint: 'e.g. ./run.sh new daily_report [--script]' });
  const created = scaffoldStep(discover(root), args[0], Boolean(flags.script));
  process.stdout.write(
    `created ${created.join(' and ')}\nnext: edit it, then ./run.sh --only ${created[0].split('/')[1]}\n`,
  );
  return 0;
}
