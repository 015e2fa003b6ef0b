// The batch ledger, read in a worker (read-only) for the commands and checks that look at it outside a run's
// batches stage: `list`, watch as it starts, the freshness of the inputs. A ledger that cannot be read is an
// error, never "nothing loaded".
import { BatchError } from '../errors.js';
import type { Ledger, Settings } from '../model.js';
import { runJob } from '../processes/pool.js';
import { connectionOf } from '../project/pipeline.js';

/** Reads the ledger in a worker (read-only). */
export async function ledgerOf(root: string, settings: Settings): Promise<Ledger> {
  const answer = await runJob(root, { kind: 'ledger', connection: connectionOf({ root }, settings) });
  if (!('result' in answer))
    throw new BatchError(`cannot read the batch ledger: ${answer.died.message}`, { hint: answer.died.hint });
  if ('error' in answer.result)
    throw new BatchError(`cannot read the batch ledger: ${answer.result.error.message}`, {
      hint: answer.result.error.hint,
    });
  return answer.result.ledger;
}
