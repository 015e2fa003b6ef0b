// logs/run_results.json: one document per run, what every step, batch, assertion, unit test and publish target
// did (dbt's run_results.json v6 where its fields fit: unique_id, status, timing, execution_time, message,
// failures; docs/observability.md says where ducksteps differs). Its schema: schemas/run-results.v1.schema.json.
import type { StepError } from '../../model.js';
import type { AssertionResult, BuildResult, InputFreshness, PublishOutcome, StepReport } from '../../results.js';
import type { UnitTestResult } from '../../unit-tests.js';
import { differingRows } from '../../unit-tests.js';
import { metadataOf, RUN_RESULTS_SCHEMA } from './metadata.js';

const where = (e?: StepError) => (e?.file ? `${e.file}${e.line ? `:${e.line}` : ''}` : null);
const seconds = (ms: number) => Math.round(ms) / 1000;
const timing = (startedAt?: string, finishedAt?: string) =>
  startedAt && finishedAt ? [{ name: 'execute', started_at: startedAt, completed_at: finishedAt }] : [];

/** A step's id in the artifacts: step.NN_name, and .batch.N for one batch of an incremental step. */
export const stepUniqueId = (id: string, batch?: number) => `step.${id}${batch === undefined ? '' : `.batch.${batch}`}`;
export const assertionUniqueId = (name: string) => `assertion.${name}`;
export const publishUniqueId = (file: string) => `publish.${file}`;

function assertionEntry(a: AssertionResult, gates?: StepReport) {
  return {
    unique_id: assertionUniqueId(a.name),
    resource_type: 'assertion',
    status: a.status,
    timing: [],
    execution_time: seconds(a.durationMs),
    failures: a.failingRows,
    message: a.error?.message ?? null,
    location: `${a.file}:${a.line}`,
    severity: a.severity,
    gates: gates ? stepUniqueId(gates.step.id, gates.batch?.id) : null,
    reused_from: a.reused ?? null,
  };
}

function stepEntries(r: StepReport) {
  const step = {
    unique_id: stepUniqueId(r.step.id, r.batch?.id),
    resource_type: 'step',
    status: r.status,
    timing: timing(r.startedAt, r.finishedAt),
    execution_time: seconds(r.durationMs),
    rows_affected: r.rowsChanged,
    statements: r.statements.length,
    message: r.error?.message ?? null,
    location: where(r.error),
    batch: r.batch ? { id: r.batch.id, files: r.batch.files, full_refresh: r.batch.fullRefresh } : null,
    retries: r.retries ?? 0,
    peak_rss_mb: r.stats?.peakRssMb ?? null,
  };
  return [step, ...(r.assertions ?? []).map((a) => assertionEntry(a, r))];
}

const unitEntry = (u: UnitTestResult) => ({
  unique_id: `unit_test.${u.step}.${u.name}`,
  resource_type: 'unit_test',
  status: u.status,
  timing: [],
  execution_time: seconds(u.durationMs),
  failures: differingRows(u),
  message: u.error?.message ?? null,
  location: `${u.file}:${u.line}`,
});

const publishEntry = (p: PublishOutcome, file?: string) => ({
  unique_id: publishUniqueId(file ?? p.destination),
  resource_type: 'publish',
  status: p.status,
  timing: [],
  execution_time: seconds(p.durationMs),
  rows_affected: p.rows,
  bytes: p.bytes,
  destination: p.destination,
  message: p.error?.message ?? p.note ?? null,
  location: where(p.error),
});

/** dbt's source freshness fields (sources.json) for one input. */
export const freshnessEntry = (f: InputFreshness, at: string) => ({
  unique_id: `source.${f.input}`,
  status: f.status,
  max_loaded_at: f.arrivedAt ?? null,
  snapshotted_at: at,
  max_loaded_at_time_ago_in_s: f.ageMs === undefined ? null : seconds(f.ageMs),
  newest_file: f.newest ?? null,
  files: f.files,
  criteria: {
    warn_after_s: f.warnAfterMs === undefined ? null : seconds(f.warnAfterMs),
    error_after_s: f.errorAfterMs === undefined ? null : seconds(f.errorAfterMs),
  },
});

/** What a run leaves for the tools around it: the result (or the error that ended it before one). */
export interface RunRecord {
  readonly runId: string;
  readonly command: string;
  readonly startedAt: string;
  readonly result?: BuildResult;
  readonly error?: string;
  readonly freshness?: readonly InputFreshness[];
  readonly freshnessAt?: string;
  /** publish destination -> its file (publish/NN_name.sql), when the plan is known. */
  readonly targetFiles?: ReadonlyMap<string, string>;
}

/** The run_results.json document of a run. */
export function runResults(record: RunRecord) {
  const { result } = record;
  const gated = new Set((result?.steps ?? []).flatMap((r) => r.assertions ?? [])); // tests.results repeats them
  const completedAt = new Date().toISOString();
  const results = [
    ...(result?.unit?.results ?? []).map(unitEntry),
    ...(result?.steps ?? []).flatMap(stepEntries),
    ...(result?.tests?.results ?? []).filter((a) => !gated.has(a)).map((a) => assertionEntry(a)),
    ...(result?.publish ?? []).map((p) => publishEntry(p, record.targetFiles?.get(p.destination))),
  ];
  return {
    metadata: metadataOf(RUN_RESULTS_SCHEMA, record.runId),
    command: record.command,
    status: result?.status ?? 'error',
    started_at: record.startedAt,
    completed_at: completedAt,
    elapsed_time: seconds(Date.parse(completedAt) - Date.parse(record.startedAt)),
    message: record.error ?? null,
    results,
    sources: (record.freshness ?? []).map((f) => freshnessEntry(f, record.freshnessAt ?? completedAt)),
  };
}
