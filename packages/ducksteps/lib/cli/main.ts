// The ducksteps command line: parse arguments, call one library function per command, set the exit code.
// A project's run.ts calls main(); so does the package's bin when a folder has no run.ts (npx ducksteps init).
import { parseArgs } from 'node:util';
import { DuckstepsError, UsageError } from '../errors.js';
import { HELP, checkCommandInput, commands } from './commands.js';
import { dropPrestartedWorker, prestartWorker } from '../processes/prestart.js';
import { mark } from '../trace.js';
import { safeText } from '../report/escape.js';

mark('driver imported');
process.on('exit', () => mark('exit'));

const OPTIONS = {
  db: { type: 'string' },
  var: { type: 'string', multiple: true },
  threads: { type: 'string' },
  'memory-limit': { type: 'string' },
  'step-timeout': { type: 'string' },
  'publish-timeout': { type: 'string' },
  'lock-timeout': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  only: { type: 'string', multiple: true },
  select: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  resume: { type: 'boolean' },
  'batch-size': { type: 'string' },
  jobs: { type: 'string' },
  'data-path': { type: 'string' },
  engine: { type: 'string' },
  'full-refresh': { type: 'boolean' },
  'forget-missing': { type: 'boolean' },
  recheck: { type: 'boolean' },
  'ignore-freshness': { type: 'boolean' },
  'max-wait': { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  runs: { type: 'string' },
  step: { type: 'string' },
  script: { type: 'boolean' },
  unit: { type: 'boolean' },
  where: { type: 'string', multiple: true },
  name: { type: 'string' },
  limit: { type: 'string' },
  target: { type: 'string' },
  defer: { type: 'string' },
  state: { type: 'string' },
  publish: { type: 'boolean' },
  'no-publish': { type: 'boolean' },
  verbose: { type: 'boolean' },
  example: { type: 'boolean' },
  columns: { type: 'string' },
  csv: { type: 'boolean' },
  file: { type: 'string', short: 'f' },
  version: { type: 'boolean' },
  empty: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** "--threads -1" -> "--threads=-1", so a negative number reaches validation instead of parseArgs. */
const attachNegatives = (argv: string[]) =>
  argv.flatMap((a, i) =>
    /^-\d/.test(argv[i + 1] ?? '') && a.startsWith('--') && !a.includes('=')
      ? [`${a}=${argv[i + 1]}`]
      : /^-\d/.test(a) && argv[i - 1]?.startsWith('--') && !argv[i - 1].includes('=')
        ? []
        : [a],
  );

async function dispatch(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: attachNegatives(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = message.match(/Unknown option '([^']+)'/)?.[1];
    throw new UsageError(unknown ? `unknown option ${unknown}` : message.split('\n')[0], {
      hint: 'see ./run.sh --help',
    });
  }
  const [name = parsed.values['dry-run'] ? 'compile' : 'run', ...rest] = parsed.positionals;
  const command = commands[name];
  if (!command) {
    throw new UsageError(`unknown command "${name}"`, {
      hint: `commands: ${Object.keys(commands).join(', ')} (see ./run.sh --help)`,
    });
  }
  if (parsed.values.version && parsed.positionals.length === 0) {
    process.stdout.write(`${await versions()}\n`);
    return 0;
  }
  checkCommandInput(name, command, parsed.values, rest);
  if (parsed.values.help) {
    process.stdout.write(`${command.help ?? HELP}\n`);
    return 0;
  }
  if (command.worker) prestartWorker(process.cwd()); // boots while the command's modules load and it plans
  try {
    return await command.run({ root: process.cwd(), flags: parsed.values, args: rest });
  } finally {
    dropPrestartedWorker(); // unused: a configuration error, or nothing to run
  }
}

/** `--version`: ducksteps, the DuckDB it carries, Node (read from package files: nothing is started). */
async function versions(): Promise<string> {
  const { duckdbBinding, duckdbVersion, packageVersion } = await import('../init/package.js');
  const binding = duckdbBinding();
  return [
    `ducksteps ${packageVersion()}`,
    `DuckDB ${duckdbVersion()} (${binding.name} ${binding.version})`,
    `Node.js ${process.version}`,
  ].join('\n');
}

/** Runs one command and sets the process's exit code: 0 ok, 1 a failed step or check, 2 usage or configuration,
 * 130/143 interrupted. A user's mistake is one line (what, where, what to do), never a stack trace. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  // A closed stdout or stderr (./run.sh | head) must not stop or corrupt the run: drop what cannot be printed.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  try {
    const code = await dispatch([...argv]);
    process.exitCode = code;
    return code;
  } catch (error) {
    const code = error instanceof DuckstepsError ? error.exitCode : 1;
    if (error instanceof DuckstepsError) process.stderr.write(`ducksteps: ${safeText(error.message)}\n`);
    else process.stderr.write(`ducksteps: internal error (please report it):\n${(error as Error)?.stack ?? error}\n`);
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref(); // never hang on a handle the error left open
    return code;
  }
}
