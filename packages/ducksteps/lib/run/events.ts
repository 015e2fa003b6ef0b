// One run, several listeners: the CSV logs (logs/subscriber.ts), the console or a test. Stages emit each event
// once; every subscriber gets it, in the order given.
import type { BuildEvents } from '../results.js';

/** Every event name, so a new event cannot be left out of the fan-out (the object does not compile then). */
const NAMES = {
  onRunStart: true,
  onPlanned: true,
  onFreshness: true,
  onStepStart: true,
  onStepEnd: true,
  onHeartbeat: true,
  onProgress: true,
  onOutput: true,
  onNotice: true,
  onWaiting: true,
  onWarning: true,
  onTestsStart: true,
  onPublishStart: true,
  onUnitTestsStart: true,
  onUnitTestsEnd: true,
  onTestsEnd: true,
  onPublishEnd: true,
  onInterrupted: true,
  onRunError: true,
  onStaleRun: true,
  onRunEnd: true,
} as const satisfies Record<keyof BuildEvents, true>;

/** Events that call each subscriber's handler in turn. */
export function fanOut(...subscribers: ReadonlyArray<BuildEvents | undefined>): BuildEvents {
  const present = subscribers.filter((s): s is BuildEvents => s !== undefined);
  const events: Record<string, (...args: unknown[]) => void> = {};
  for (const name of Object.keys(NAMES) as Array<keyof BuildEvents>) {
    const handlers = present.flatMap((s) => (s[name] ? [s[name] as (...args: unknown[]) => void] : []));
    if (handlers.length > 0) events[name] = (...args) => handlers.forEach((h) => h(...args));
  }
  return events as BuildEvents;
}
