// The --json document: plain, stable field names for scripts and CI.
import type { StepError } from '../model.js';
import type { BuildResult } from '../results.js';
import { differingRows, type UnitTestsReport } from '../unit-tests.js';

const where = (e?: StepError) => (e?.file ? `${e.file}${e.line ? `:${e.line}` : ''}` : undefined);
const error = (e?: StepError) => e && { message: e.message, location: where(e), compiled: e.compiled, hint: e.hint };

/** Unit test results as JSON (a run's `unit_tests`, and `test --unit --json`). */
export function unitJson(report: UnitTestsReport) {
  return {
    status: report.status,
    duration_ms: report.durationMs,
    tests: report.results.map((u) => ({
      name: u.name,
      step: u.step,
      location: `${u.file}:${u.line}`,
      status: u.status,
      duration_ms: u.durationMs,
      differing_rows: differingRows(u),
      failures_file: u.failuresFile,
      error: error(u.error),
    })),
    unrendered_steps: (report.unrendered ?? []).flatMap((u) =>
      u.steps.map((step) => ({ step, error: error(u.error) })),
    ),
  };
}

/** A build result as one JSON-ready object. */
export function toJson(result: BuildResult) {
  return {
    run_id: result.runId,
    status: result.status,
    steps: result.steps.map((r) => ({
      step: r.step.id,
      status: r.status,
      duration_ms: r.durationMs,
      statements: r.statements.length,
      rows_changed: r.rowsChanged,
      error: error(r.error),
      worker: r.stats,
    })),
    driver_peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    tests: result.tests && {
      status: result.tests.status,
      duration_ms: result.tests.durationMs,
      assertions: result.tests.results.map((a) => ({
        name: a.name,
        location: `${a.file}:${a.line}`,
        severity: a.severity,
        status: a.status,
        failing_rows: a.failingRows,
        duration_ms: a.durationMs,
        failures_file: a.failuresFile,
        error: error(a.error),
      })),
    },
    unit_tests: result.unit && unitJson(result.unit),
    publish: result.publish?.map((p) => ({
      destination: p.destination,
      status: p.status,
      rows: p.rows,
      bytes: p.bytes,
      duration_ms: p.durationMs,
      note: p.note,
      error: error(p.error),
    })),
  };
}
