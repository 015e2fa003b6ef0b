// Worker subprocess entry (docs/internals.md): say `ready`, read one Envelope from stdin, run its job with
// the handler for its kind, write the answer to the envelope's result file, say `answered`, exit.
// The driver may start this process early: it boots (imports DuckDB) and then waits for stdin.
import './lifeline.js'; // first: evaluated before the modules below (DuckDB) load
import { readFileSync, writeFileSync } from 'node:fs';
import type { AnyJob, Envelope, Handlers, JobContext, WorkerMessage } from '../protocol.js';
import { mark } from '../trace.js';
import { runAssertions } from './assertions.js';
import { readLedger } from './ledger-read.js';
import { parseReads } from './lineage.js';
import { columnLineage } from './column-lineage.js';
import { parseFiles } from './parse.js';
import { prepareWarehouse, runQueries } from './query.js';
import { runStep } from './step.js';
import { runUnitTests } from './unit-test.js';

const send = (message: WorkerMessage) => process.send?.(message);

// a worker started for publishing loads the kinds' clients (pg, ~40 ms) while it waits; the others need not
const publishing = process.argv.includes('--publish') ? await import('./publish.js') : undefined;
await publishing?.preloadKinds();

/** One handler per job kind (a kind without one does not compile). */
const handlers: Handlers = {
  step: runStep,
  assert: runAssertions,
  ledger: readLedger,
  query: runQueries,
  probe: async (job) => (await import('./probe.js')).probe(job),
  prepare: prepareWarehouse,
  parse: parseFiles,
  lineage: parseReads,
  columns: columnLineage,
  unit: runUnitTests,
  publish: async (job, context) => (publishing ?? (await import('./publish.js'))).publishTargets(job, context),
};

/** Calls the handler of the job's kind (the table above is checked per kind; this lookup cannot be). */
const dispatch = (job: AnyJob, context: JobContext) =>
  (handlers[job.kind] as (job: AnyJob, context: JobContext) => Promise<unknown>)(job, context);

const readyAt = performance.now();
mark('worker ready');
send({ kind: 'ready' }); // the driver gives the next job to whichever warm worker is ready first
const envelope = JSON.parse(readFileSync(0, 'utf8')) as Envelope;
mark(`worker job ${envelope.job.kind}`);
const context: JobContext = {
  projectRoot: envelope.projectRoot,
  tmpDir: envelope.tmpDir,
  bootMs: readyAt,
  waitMs: performance.now() - readyAt,
  receivedAt: Date.now(),
};
writeFileSync(envelope.resultPath, JSON.stringify(await dispatch(envelope.job, context)));
send({ kind: 'answered' }); // the driver may go on before this process has exited
mark(`worker done ${envelope.job.kind}`);
