// OpenLineage events as a listener of the run's events: a START and a COMPLETE/FAIL/ABORT for the build's run
// (job: the project) and for each step's run (job: project.NN_name, its parent the build's run), with inputs and
// outputs named by the spec's conventions (naming.ts), their schema, row counts, column lineage and the
// assertions that checked them. A killed run's open runs get their ABORT from the next run (runs.ts).
import { join } from 'node:path';
import type { OpenLineageSettings, Step, Warehouse } from '../../model.js';
import type { AssertionResult, BuildEvents, PlannedRun, PublishOutcome, StepReport } from '../../results.js';
import { ducksVersion } from '../artifacts/metadata.js';
import { EVENT_SCHEMA, engineFacet, errorFacet, jobTypeFacet, parentFacet } from './facets.js';
import { checkedInputs, stepDatasets, targetOutputs } from './datasets.js';
import { readOpen, recordOpen, runUuid, type OpenRun } from './runs.js';
import { transportOf } from './transport.js';

export interface OpenLineageOptions {
  readonly root: string;
  readonly runId: string;
  readonly settings: OpenLineageSettings;
  readonly warehouse: Warehouse;
  readonly project: string; // the job name of the whole build
  readonly warn: (line: string) => void;
}

type EventType = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';
const END: Record<string, EventType> = { ok: 'COMPLETE', failed: 'FAIL', 'timed out': 'FAIL', interrupted: 'ABORT' };

/** The events that send a run's OpenLineage events; `flushed()` resolves once the endpoint has them all. */
export function openLineageSubscriber(o: OpenLineageOptions): BuildEvents & { flushed(): Promise<void> } {
  const logs = join(o.root, 'logs');
  const producer = `https://www.npmjs.com/package/ducksteps/v/${ducksVersion()}`;
  const transport = transportOf(o.root, o.settings, o.warn);
  const ns = o.settings.namespace;
  const buildRun = { runId: runUuid(o.runId), namespace: ns, name: o.project };
  const open = new Map<string, OpenRun>();
  let planned: PlannedRun | undefined;
  let ended = false;
  const checked: AssertionResult[] = [];
  let delivered: readonly PublishOutcome[] = [];
  const send = (type: EventType, run: OpenRun, extra: { runFacets?: object; inputs?: object[]; outputs?: object[] }) =>
    transport.send({
      eventTime: new Date().toISOString(),
      producer,
      schemaURL: EVENT_SCHEMA,
      eventType: type,
      run: {
        runId: run.runId,
        facets: run.step
          ? { parent: parentFacet(producer, buildRun), ...extra.runFacets }
          : { processing_engine: engineFacet(producer, ducksVersion()), ...extra.runFacets },
      },
      job: { namespace: ns, name: run.job, facets: { jobType: jobTypeFacet(producer, run.step ? 'TASK' : 'JOB') } },
      inputs: extra.inputs ?? [],
      outputs: extra.outputs ?? [],
    });
  const started = (run: OpenRun) => {
    open.set(run.runId, run);
    recordOpen(logs, o.runId, [...open.values()]);
  };
  const finish = (type: EventType, run: OpenRun, extra: Parameters<typeof send>[2] = {}) => {
    send(type, run, extra);
    open.delete(run.runId);
    recordOpen(logs, o.runId, [...open.values()]);
  };
  const stepRun = (step: Step, batch?: number): OpenRun => ({
    runId: runUuid(`${o.runId}/${step.id}/${batch ?? ''}`),
    job: `${o.project}.${step.id}`,
    step: true,
  });
  const error = (message?: string) => (message ? { errorMessage: errorFacet(producer, message) } : undefined);
  const datasets = (step: Step, report?: StepReport) =>
    planned ? stepDatasets({ root: o.root, warehouse: o.warehouse, planned, producer }, step, report) : {};
  return {
    onStaleRun: (staleId) => {
      const left = readOpen(logs, staleId).sort((a, b) => Number(b.step) - Number(a.step)); // steps, then the build
      const message = { runFacets: error(`ducksteps run ${staleId} never finished (its process died)`) };
      for (const run of left) send('ABORT', run, message);
      recordOpen(logs, staleId, []);
    },
    onRunStart: () => {
      const run = { runId: buildRun.runId, job: o.project, step: false };
      started(run);
      send('START', run, {});
    },
    onPlanned: (p) => {
      planned = p;
    },
    onStepStart: (step, batch) => {
      const run = stepRun(step, batch?.batch.id);
      started(run);
      send('START', run, datasets(step));
    },
    onStepEnd: (report) => {
      checked.push(...(report.assertions ?? []));
      const run = stepRun(report.step, report.batch?.id);
      if (!open.has(run.runId)) return; // skipped, or up to date: it never started
      finish(END[report.status] ?? 'FAIL', run, {
        ...datasets(report.step, report),
        runFacets: error(report.error?.message),
      });
    },
    onTestsEnd: (report) => {
      checked.push(...report.results.filter((r) => !checked.includes(r)));
    },
    onPublishEnd: (outcomes) => {
      delivered = outcomes;
    },
    onRunEnd: (result) => {
      ended = true;
      const run = { runId: buildRun.runId, job: o.project, step: false };
      const inputs = planned ? checkedInputs({ root: o.root, warehouse: o.warehouse, planned, producer }, checked) : [];
      const outputs = planned
        ? targetOutputs({ root: o.root, warehouse: o.warehouse, planned, producer }, delivered)
        : [];
      finish(result.status === 'ok' ? 'COMPLETE' : result.status === 'interrupted' ? 'ABORT' : 'FAIL', run, {
        inputs,
        outputs,
        runFacets:
          result.status === 'failed'
            ? error('a step, assertion or publish target failed (logs/run_results.json)')
            : undefined,
      });
    },
    onRunError: (message) => {
      if (ended) return;
      ended = true;
      const runs = [...open.values()].sort((a, b) => Number(b.step) - Number(a.step));
      for (const run of runs) finish('FAIL', run, { runFacets: error(message) });
    },
    flushed: () => transport.flushed(),
  };
}
