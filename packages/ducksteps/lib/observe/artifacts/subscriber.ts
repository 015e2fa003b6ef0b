// The run artifacts as a listener of the run's events (like the CSV logs): logs/manifest.json when the run is
// planned, logs/run_results.json when it ends — also when it ends with an error before or after its plan.
import { join } from 'node:path';
import type { BuildEvents, InputFreshness } from '../../results.js';
import { writeJson } from './metadata.js';
import { manifestOf } from './manifest.js';
import { runResults } from './run-results.js';

/** Events that write run `runId`'s artifacts under `logsDir`; `command`: the command line (passwords masked). */
export function artifactsSubscriber(logsDir: string, runId: string, command: string): BuildEvents {
  const startedAt = new Date().toISOString();
  let freshness: readonly InputFreshness[] | undefined;
  let freshnessAt: string | undefined;
  let targetFiles: Map<string, string> | undefined;
  let written = false;
  const finish = (record: Omit<Parameters<typeof runResults>[0], 'runId' | 'command' | 'startedAt'>) => {
    if (written) return;
    written = true;
    writeJson(
      join(logsDir, 'run_results.json'),
      runResults({ runId, command, startedAt, freshness, freshnessAt, targetFiles, ...record }),
    );
  };
  return {
    onFreshness: (inputs) => {
      freshness = inputs;
      freshnessAt = new Date().toISOString();
    },
    onPlanned: (planned) => {
      targetFiles = new Map(planned.targets.map((t) => [t.destination, t.file]));
      writeJson(join(logsDir, 'manifest.json'), manifestOf(planned, runId));
    },
    onRunEnd: (result) => finish({ result }),
    onRunError: (message) => {
      try {
        finish({ error: message });
      } catch {
        // the logs themselves are what failed; the console still says it
      }
    },
  };
}
