// A step whose COMMIT lost to another writer (DuckLake commits optimistically) runs again, whole, on the newer
// snapshot: nothing of the failed attempt was committed. DuckLake first retries its own catalog writes (its
// ducklake_max_retry_count, with back-off); what it gives up on comes here as a conflict (engines' isConflict).
import type { Session } from '../engines/engine.js';
import { TransactionLog } from './transaction.js';

/** Commit conflicts a step runs again after, on the newer snapshot, before it fails. */
export const CONFLICT_RETRIES = 4;

/** A step whose commit kept conflicting with other writers. */
export class ConflictFailure extends Error {
  constructor(
    readonly cause: unknown,
    readonly retries: number,
  ) {
    const lines = ((cause as Error)?.message ?? String(cause)).split('\n').map((l) => l.trim());
    const why = lines.find((l) => /conflict|Exceeded the maximum retry count|duplicate key/i.test(l)) ?? lines[0];
    super(
      `the step's commit conflicted with another writer ${retries + 1} times (DuckLake commits optimistically): ${why}`,
    );
  }
}

/** Runs `attempt` (a whole step transaction) until it commits; a commit conflict runs it again, up to
 * CONFLICT_RETRIES times, after a growing random pause. Returns the last attempt's log and the retries. */
export async function retryingConflicts(
  session: Session,
  attempt: (log: TransactionLog) => Promise<void>,
  onConflict?: (error: unknown) => void,
): Promise<{ log: TransactionLog; retries: number; error?: unknown }> {
  for (let retries = 0; ; retries++) {
    const log = new TransactionLog();
    try {
      await attempt(log);
      return { log, retries };
    } catch (error) {
      if (!session.isConflict(error) || log.committed.length > 0) return { log, retries, error }; // a no-transaction file already committed: not again
      onConflict?.(error);
      if (retries >= CONFLICT_RETRIES) return { log, retries, error: new ConflictFailure(error, retries) };
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** retries + Math.random() * 100));
    }
  }
}
