// Prints a build as it happens: start/end line per step, heartbeats, script output, then the summary.
import type { BuildEvents } from './build.js';
import { errorBlock, heartbeatLine, stepEndLine, stepStartLine, summaryTable, type Style } from './report.js';
import type { BuildResult } from './types.js';

export type Writer = (text: string) => void;

/** Build events that print through `write` (stdout normally, stderr under --json). */
export function consoleEvents(style: Style, write: Writer): BuildEvents {
  return {
    onStepStart: (step) => write(stepStartLine(style, step)),
    onHeartbeat: (step, ms) => write(heartbeatLine(style, step, ms)),
    onOutput: (step, line) => write(`  │ ${line}`),
    onStepEnd: (report) => {
      write(stepEndLine(style, report));
      if (report.error) {
        const next = `nothing of ${report.step.id} was committed; fix it and run again: ./run.sh --from ${report.step.id}`;
        write(errorBlock(style, report.error, next));
      }
    },
  };
}

/** The closing summary: table, and where the logs are. */
export function printSummary(style: Style, write: Writer, result: BuildResult): void {
  write('');
  write(summaryTable(style, result));
  write(`logs: logs/run_log.csv, logs/<step>.csv, compiled SQL in logs/compiled/ (run ${result.runId})`);
}
