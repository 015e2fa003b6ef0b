// The --json document: plain, stable field names for scripts and CI.
import type { StepError } from '../model.js';
import type { BuildResult } from '../results.js';

const where = (e?: StepError) => (e?.file ? `${e.file}${e.line ? `:${e.line}` : ''}` : undefined);
const error = (e?: StepError) => e && { message: e.message, location: where(e), compiled: e.compiled, hint: e.hint };

/** A build result as one JSON-ready object. */
export function toJson(result: BuildResult) {
  return {
    run_id: result.runId,
    status: result.status,
    steps: result.steps.map((r) => ({
      step: r.step.id, status: r.status, duration_ms: r.durationMs, statements: r.statements.length,
      rows_changed: r.rowsChanged, error: error(r.error), worker: r.stats,
    })),
    driver_peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    tests: result.tests && {
      status: result.tests.status,
      duration_ms: result.tests.durationMs,
      assertions: result.tests.results.map((a) => ({
        name: a.name, location: `${a.file}:${a.line}`, severity: a.severity, status: a.status,
        failing_rows: a.failingRows, duration_ms: a.durationMs, failures_file: a.failuresFile, error: error(a.error),
      })),
    },
    publish: result.publish?.map((p) => ({
      destination: p.destination, status: p.status, rows: p.rows, bytes: p.bytes, duration_ms: p.durationMs, note: p.note, error: error(p.error),
    })),
  };
}
