// Which publish targets are up to date (state/publish.ts): their rows unchanged since their last delivery and
// their file still that delivery. After delivering, what each file target delivered is kept.
import type { PublishTargetJob } from '../../protocol.js';
import type { PublishOutcome } from '../../results.js';
import { deliveries, deliveryKey, fileHash, keepDeliveries, targetFile, targetReads } from '../../state/publish.js';
import type { RunContext } from '../context.js';

export const UP_TO_DATE = 'up to date: its rows and its file are as last delivered';

/** Each target's delivery key (undefined: it is always delivered). */
export async function deliveryKeys(run: RunContext, jobs: readonly PublishTargetJob[]) {
  const lineage = run.state.lineage;
  return Promise.all(
    jobs.map(async (target) => {
      const reads = lineage?.home && targetReads(target, lineage, lineage.home);
      const versions = reads && (await run.state.versionsOf(reads));
      return versions && deliveryKey(target, versions);
    }),
  );
}

/** Whether each target is up to date: the same key as its last delivery, its file unchanged since. */
export async function upToDate(
  run: RunContext,
  jobs: readonly PublishTargetJob[],
  keys: readonly (string | undefined)[],
) {
  const last = deliveries(run.project.root);
  return Promise.all(
    jobs.map(async (target, i) => {
      const was = last[target.destination];
      if (!keys[i] || !was || was.key !== keys[i]) return false;
      return (await fileHash(targetFile(run.project.root, target))) === was.hash;
    }),
  );
}

/** After delivering: what each file target now holds (a target that failed is forgotten). */
export async function keepDelivered(
  run: RunContext,
  jobs: readonly PublishTargetJob[],
  keys: readonly (string | undefined)[],
  outcomes: readonly PublishOutcome[],
): Promise<void> {
  const changed: Record<string, { key: string; hash: string } | undefined> = {};
  for (const [i, target] of jobs.entries()) {
    if (target.kind !== 'file' || outcomes[i]?.note === UP_TO_DATE) continue;
    const key = keys[i];
    changed[target.destination] =
      outcomes[i]?.status === 'ok' && key
        ? { key, hash: await fileHash(targetFile(run.project.root, target)) }
        : undefined;
  }
  try {
    keepDeliveries(run.project.root, changed);
  } catch {
    // not kept: the next run delivers them again
  }
}
