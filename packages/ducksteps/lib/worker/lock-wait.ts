// --lock-timeout inside a worker: while another program holds the warehouse's file, the job's open waits.
// The driver is told as the wait starts (it prints a line: a wait is never silent), and the wait is timed, so
// a step's duration can leave it out.
import { describe } from '../engines/open.js';
import type { LockWaitListener } from '../engines/engine.js';
import type { Connection } from '../model.js';
import type { WorkerMessage } from '../protocol.js';

export interface LockWaits {
  readonly onLockWait: LockWaitListener;
  /** How long the job has waited for the lock so far. */
  readonly waitedMs: () => number;
}

/** A listener for the job's opens of `connection`: says `waiting` to the driver, adds up the waits. */
export function lockWaits(connection: Connection): LockWaits {
  let waited = 0;
  const onLockWait: LockWaitListener = (phase, ms) => {
    if (phase === 'done') waited += ms;
    else
      process.send?.({
        kind: 'waiting',
        what: describe(connection),
        timeoutMs: connection.lockTimeoutMs ?? 0,
      } satisfies WorkerMessage);
  };
  return { onLockWait, waitedMs: () => waited };
}
