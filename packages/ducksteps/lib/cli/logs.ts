// `./run.sh logs [--runs N] [--step STEP]`: which step got slower, and which statement?
import type { CommandContext } from './context.js';
import { discover } from '../project/discover.js';
import { UsageError } from '../errors.js';
import {
  counted,
  detectStyle,
  formatCount,
  formatDuration,
  formatStatus,
  paintedStatus,
  renderTable,
} from '../report/tables.js';
import { safeText } from '../report/escape.js';
import { recentBatches } from '../logs/batch-history.js';
import { recentSchemaChanges } from '../logs/schema-log.js';
import { reviewLogs, SLOWER } from '../logs/review.js';
import { findStep } from '../project/select.js';
import { loadSettings } from '../project/config.js';
import { logsOf } from '../warehouse.js';

export async function logsCommand({ root, flags }: CommandContext): Promise<number> {
  const runs = flags.runs === undefined ? 10 : Number(flags.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new UsageError(`--runs must be a whole number >= 1, got "${flags.runs}"`);
  const only = typeof flags.step === 'string' ? findStep(discover(root).steps, flags.step, '--step').id : undefined;
  const logs = logsOf(root, loadSettings(root, { target: flags.target as string | undefined }));
  const review = reviewLogs(logs, runs, only);
  if (!review.runId) {
    process.stdout.write('no runs in logs/run_log.csv yet; run ./run.sh first\n');
    return 0;
  }
  const style = detectStyle();
  const out: string[] = [
    `last run ${review.runId}${review.warehouse ? ` on ${review.warehouse}` : ''}; each step's latest run, compared with the median of its up to ${counted(runs, 'earlier run')}${review.warehouse ? ' on that warehouse' : ''}`,
  ];
  out.push(
    renderTable(
      style,
      ['step', 'run', 'status', 'duration', 'median before', 'ratio', ''],
      review.steps.map((s) => [
        s.step,
        s.runId === review.runId ? 'last' : s.runId,
        paintedStatus(style, s.status),
        formatDuration(s.durationMs),
        s.medianMs === undefined ? '-' : formatDuration(s.medianMs),
        s.ratio === undefined ? '-' : `${s.ratio.toFixed(2)}×`,
        s.slower ? paintedStatus(style, `slower (≥ ${SLOWER}×)`) : '',
      ]),
    ),
  );
  out.push('slowest statements of the last run:');
  out.push(
    renderTable(
      style,
      ['duration', 'step', 'where', 'kind', 'statement'],
      review.slowest.map((s) => [
        formatDuration(s.durationMs),
        s.step,
        s.location,
        s.kind,
        s.statement.length > 60 ? `${s.statement.slice(0, 57)}...` : s.statement,
      ]),
    ),
  );
  for (const s of review.steps.filter((x) => x.error))
    out.push(`${formatStatus(style, 'failed')} ${s.step}: ${safeText(s.error!)}`);
  const batches = recentBatches(logs, review.runId);
  if (batches.length > 0) {
    out.push('recent batches:');
    out.push(
      renderTable(
        style,
        ['batch', 'files', 'committed by', 'status', 'rows', 'runs'],
        batches.map((b) => [
          b.batchId,
          b.files,
          b.steps.join(', ') || '-',
          paintedStatus(style, b.status),
          formatCount(b.rows),
          b.runs.length,
        ]),
      ),
    );
  }
  const changes = recentSchemaChanges(logs);
  if (changes.length > 0) {
    out.push('schema changes (logs/schema_changes.csv):');
    out.push(
      renderTable(
        style,
        ['table', 'version', 'change', 'step', 'run'],
        changes.map((c) => [c.table, c.version, safeText(c.change), c.step, c.runId]),
      ),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
