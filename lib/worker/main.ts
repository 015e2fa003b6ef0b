// Subprocess entry: read one job (a step, or the assertions) from stdin, run it, write one JSON result file.
// The driver may start this process early: it gets ready (imports DuckDB) and then waits for stdin.
import { readFileSync, writeFileSync } from 'node:fs';
import { runAssertions } from './assertions.js';
import { parseFiles } from './parse.js';
import { runStep } from './step.js';
import { readLedger } from './ledger.js';
import { publishTargets } from './publish.js';
import { parseReads } from './lineage.js';
import type { AssertJob, LedgerJob, LineageJob, ParseJob, PublishJob, StepJob } from '../types.js';

// If the driver dies (killed, crashed), die too: an orphan must not commit a step nobody will log,
// nor keep the database locked against the next run. Dying mid-transaction rolls the step back.
// The IPC channel closes when the driver's process ends, however it ends, on Linux, macOS and Windows.
process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
process.channel?.unref();

const readyAt = performance.now();
const job = JSON.parse(readFileSync(0, 'utf8')) as StepJob | AssertJob | ParseJob | LedgerJob | PublishJob | LineageJob;
const result =
  job.kind === 'step' ? await runStep(job, { bootMs: readyAt, waitMs: performance.now() - readyAt, receivedAt: Date.now() })
  : job.kind === 'assert' ? await runAssertions(job)
  : job.kind === 'ledger' ? await readLedger(job)
  : job.kind === 'publish' ? await publishTargets(job)
  : job.kind === 'lineage' ? await parseReads(job)
  : await parseFiles(job);
writeFileSync(job.resultPath, JSON.stringify(result));
