// Where the events go: one JSON line each to the configured file, and/or POSTed in order to the HTTP endpoint.
// An endpoint that fails (refused, a timeout, an HTTP error) never fails the run: one warning, and that event and
// every later one of the run are kept in logs/openlineage-unsent.jsonl to send again.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { OpenLineageSettings } from '../../model.js';
import { maskUrl } from '../../warehouse.js';

const TIMEOUT_MS = 5_000;

export interface Transport {
  send(event: object): void;
  /** Resolves when every event sent so far has been delivered (or kept). */
  flushed(): Promise<void>;
}

const appendLine = (path: string, event: object) => {
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${JSON.stringify(event)}\n`);
    return undefined;
  } catch (error) {
    return error as Error;
  }
};

/** The transport of the settings; `warn` says once that the endpoint failed. */
export function transportOf(root: string, settings: OpenLineageSettings, warn: (line: string) => void): Transport {
  const unsent = join(root, 'logs', 'openlineage-unsent.jsonl');
  let queue = Promise.resolve();
  let failed = false;
  const post = async (event: object) => {
    if (failed) return void appendLine(unsent, event);
    try {
      const response = await fetch(settings.url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    } catch (error) {
      failed = true;
      appendLine(unsent, event);
      const why =
        (error as Error).name === 'TimeoutError' ? `no answer in ${TIMEOUT_MS / 1000} s` : (error as Error).message;
      warn(
        `OpenLineage endpoint ${maskUrl(settings.url!)} failed (${why}): this run's events are kept in logs/openlineage-unsent.jsonl`,
      );
    }
  };
  return {
    send(event) {
      const error = settings.file ? appendLine(resolve(root, settings.file), event) : undefined;
      if (error) warn(`OpenLineage events cannot be written to ${settings.file}: ${error.message}`);
      if (settings.url) queue = queue.then(() => post(event));
    },
    flushed: () => queue,
  };
}
