// `./run.sh watch [--batch-size N] [--max-wait TIME]`: run the pipeline on files as they arrive.
import type { CommandContext } from './context.js';
import { exitCodeFor, whileStoppable, writeReportSafely } from './run.js';
import { watch, type MicroBatch } from '../watch/watch.js';
import { ConfigError } from '../errors.js';
import { loadSettings, parseDuration, type CliSettings } from '../project/config.js';
import { discover } from '../project/discover.js';
import { printPublish, printTests } from '../report/console.js';
import { printQuietPublish, printQuietTests } from '../report/quiet.js';
import { counted, detectStyle, errorBlock, formatDuration } from '../report/tables.js';
import { requireSteps } from './no-steps.js';

const DEFAULT_BATCH = 100;
const DEFAULT_WAIT_MS = 5_000;

export async function watchCommand({ root, flags }: CommandContext): Promise<number> {
  const settings = loadSettings(root, flags as CliSettings);
  const project = discover(root, settings.engine);
  requireSteps(project);
  if (Object.keys(settings.inputs).length === 0 || !project.steps.some((s) => s.incremental)) {
    throw new ConfigError('watch needs declared inputs and at least one incremental step', {
      file: 'package.json',
      hint: 'add "ducksteps"."inputs" and mark a step -- ducksteps: incremental (docs/batches.md)',
    });
  }
  const batchSize = settings.batchSize ?? DEFAULT_BATCH;
  const maxWaitMs = parseDuration(flags['max-wait'], '--max-wait') ?? DEFAULT_WAIT_MS;
  const style = detectStyle();
  const write = (text: string) => process.stdout.write(`${text}\n`);
  const stop = new AbortController();
  const failed = await whileStoppable(stop, () =>
    watch({
      project,
      settings,
      batchSize,
      maxWaitMs,
      signal: stop.signal,
      onStart: (inputs) =>
        write(
          `watching ${inputs.join(', ')}: a micro-batch at ${counted(batchSize, 'file')} or after ${formatDuration(maxWaitMs)} (Ctrl-C to stop)`,
        ),
      onWarning: (line) => write(`! ${line}`),
      onBatch: async (b) => {
        write(batchLine(b));
        await writeReportSafely(project, b.result.flow, settings.logs); // logs/report.html follows every micro-batch; a failure is said, not fatal
      },
    }),
  );
  if (stop.signal.aborted) return exitCodeFor(stop.signal.reason);
  if (!failed) return 0;
  for (const r of failed.result.steps)
    if (r.error)
      write(
        errorBlock(style, r.error, `its files stay pending; fix it and start watch again (run ${failed.result.runId})`),
      );
  const { tests, publish } = failed.result;
  if (tests && tests.status === 'failed') (flags.verbose ? printTests : printQuietTests)(style, write, tests);
  if (publish?.some((o) => o.error)) (flags.verbose ? printPublish : printQuietPublish)(style, write, publish);
  return failed.result.status === 'interrupted' ? exitCodeFor(stop.signal.reason) : 1;
}

function batchLine(b: MicroBatch): string {
  const status = b.result.status === 'ok' ? '' : ` — ${b.result.status}`;
  return `micro-batch ${b.number}: ${counted(b.files, 'file')}, ${counted(b.rows, 'row')}, ${formatDuration(b.durationMs)}, latency ${formatDuration(b.latencyMs)}${status}`;
}
