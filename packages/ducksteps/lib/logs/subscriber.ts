// The CSV logs as a listener of the run's events: every stage emits what happened, and this is the one place
// that writes it to logs/ (run_log.csv, NN_name.csv, tests.csv, schema_changes.csv, unit_failures/).
import type { BuildEvents } from '../results.js';
import { logSchemaChanges } from './schema-log.js';
import { errorCell, logPhase, logPublish, logStep } from './step-logs.js';
import { logAssertions, logUnitTests } from './tests-log.js';
import { clearUnitFailures, writeUnitFailure } from './unit-failures.js';
import { writeLastRun } from './history.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const stopped = (reason: string) => (reason === 'SIGTERM' ? 'stopped by SIGTERM' : 'stopped by Ctrl-C (SIGINT)');

/** Events that log run `runId` under `logsDir`. */
export function logSubscriber(logsDir: string, runId: string, root?: string): BuildEvents {
  return {
    onRunStart: (resume) => {
      rmSync(join(logsDir, 'test_failures'), { recursive: true, force: true }); // the last run's
      rmSync(join(logsDir, 'compiled', 'tests'), { recursive: true, force: true });
      if (resume) writeLastRun(logsDir, resume, root);
    },
    onStepEnd: (report) => {
      logStep(logsDir, runId, report);
      logSchemaChanges(logsDir, runId, report);
      if (report.assertions?.length) logAssertions(logsDir, runId, report.assertions, report.step.id);
    },
    onTestsEnd: (report, startedAt) => {
      if (report.status !== 'skipped') logAssertions(logsDir, runId, report.results);
      logPhase(logsDir, runId, 'tests', {
        status: report.status,
        startedAt: startedAt?.toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: report.status === 'skipped' ? undefined : report.durationMs,
        error: errorCell(report.error),
      });
    },
    onUnitTestsStart: () => clearUnitFailures(logsDir),
    onUnitTestsEnd: (report) => {
      for (const r of report.results) if (r.status !== 'pass') writeUnitFailure(logsDir, r);
      logUnitTests(logsDir, runId, report.results);
      const failed = report.results.filter((r) => r.status !== 'pass').length;
      logPhase(logsDir, runId, 'unit tests', {
        status: report.status,
        startedAt: new Date(Date.now() - report.durationMs).toISOString(),
        finishedAt: new Date().toISOString(),
        durationMs: report.durationMs,
        error: report.status === 'ok' ? '' : `${failed} of ${report.results.length} unit tests failed`,
      });
    },
    onPublishEnd: (outcomes) => outcomes.forEach((o) => logPublish(logsDir, runId, o)),
    onInterrupted: (reason) => logPhase(logsDir, runId, 'run', { status: 'interrupted', error: stopped(reason) }),
    onRunError: (message) => {
      try {
        logPhase(logsDir, runId, 'run', { status: 'failed', error: message });
      } catch {
        // the log itself is what failed; the console still says it
      }
    },
    onStaleRun: (staleId, pid, takenOver) =>
      logPhase(logsDir, staleId, 'run', {
        status: 'interrupted',
        error: takenOver
          ? `run ${staleId} (PID ${pid}) lost the run lock to run ${runId}`
          : `run ${staleId} (PID ${pid}) never finished`,
      }),
  };
}
