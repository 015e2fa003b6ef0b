// Subprocess entry: read one job (a step, or the assertions) from stdin, run it, write one JSON result file.
// The driver may start this process early: it gets ready (imports DuckDB) and then waits for stdin.
import { readFileSync, writeFileSync } from 'node:fs';
import { runAssertions } from './assertions.js';
import { parseFiles } from './parse.js';
import { runStep } from './step.js';
import { readLedger } from './ledger.js';
import { parseReads } from './lineage.js';
import { mark } from '../trace.js';
import type { AssertJob, LedgerJob, LineageJob, ParseJob, PublishJob, StepJob } from '../types.js';

// If the driver dies (killed, crashed), die too: an orphan must not commit a step nobody will log,
// nor keep the database locked against the next run. Dying mid-transaction rolls the step back.
// The IPC channel closes when the driver's process ends, however it ends, on Linux, macOS and Windows.
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
process.channel?.unref();

// a worker started for publishing loads the PostgreSQL client (~40 ms) while it waits; the others need not
const publishing = process.argv.includes('--publish') ? await import('./publish.js') : undefined;
const readyAt = performance.now();
mark('worker ready');
process.send?.({ kind: 'ready' }); // the driver gives the next job to whichever warm worker is ready first
const job = JSON.parse(readFileSync(0, 'utf8')) as StepJob | AssertJob | ParseJob | LedgerJob | PublishJob | LineageJob;
mark(`worker job ${job.kind}`);
const result =
  job.kind === 'step' ? await runStep(job, { bootMs: readyAt, waitMs: performance.now() - readyAt, receivedAt: Date.now() })
  : job.kind === 'assert' ? await runAssertions(job)
  : job.kind === 'ledger' ? await readLedger(job)
  : job.kind === 'publish' ? await (publishing ?? (await import('./publish.js'))).publishTargets(job)
  : job.kind === 'lineage' ? await parseReads(job)
  : await parseFiles(job);
writeFileSync(job.resultPath, JSON.stringify(result));
process.send?.({ kind: 'answered' }); // the driver may go on before this process has exited
mark(`worker done ${job.kind}`);
