// The warehouse before the first step: created or repaired once, by one worker, and how many steps it takes
// at once.
import { traitsOf } from '../engines/traits.js';
import { ConfigError } from '../errors.js';
import { manyWriters, onCluster, type Project, type Settings } from '../model.js';
import type { WorkerPool } from '../processes/pool.js';
import type { BuildEvents } from '../results.js';
import { connectionOf } from '../project/pipeline.js';
import type { Fence } from '../protocol.js';
import { describeWarehouse, maskPassword, warehouseOf } from '../warehouse.js';

/** Before any step: a new DuckLake's catalog is created by one worker (attaching a new catalog from several at
 * once races); on a cluster every name is set to its last committed version and uncommitted versions dropped. A
 * warehouse that cannot be reached is a configuration error, said once. */
export async function prepareWarehouse(
  pool: WorkerPool,
  project: Project,
  settings: Settings,
  fence?: Fence,
): Promise<void> {
  const answer = await pool.run({ kind: 'prepare', connection: connectionOf(project, settings), fence });
  const error = 'result' in answer ? answer.result.error : answer.died.message;
  if (!error) return;
  const { what, hint: check } = traitsOf(settings.engine).prepareFailure;
  const hint = ('result' in answer && answer.result.hint) || check;
  throw new ConfigError(`${what} ${describeWarehouse(warehouseOf(project.root, settings))}: ${maskPassword(error)}`, {
    hint,
  });
}

/** How many stages may run at once: --jobs where the engine takes many writers, else one (saying so). */
export function jobsFor(project: Project, settings: Settings, events: BuildEvents): number {
  const asked = settings.jobs ?? 1;
  const { warehouse } = connectionOf(project, settings);
  if (asked <= 1 || manyWriters(warehouse)) return asked;
  const what =
    warehouse.engine === 'duckdb'
      ? 'a DuckDB file'
      : onCluster(warehouse)
        ? `${traitsOf(warehouse.engine).title} with its ledger in a file`
        : 'a DuckLake with its catalog in a file';
  events.onNotice?.(
    `--jobs ${asked}: ${what} takes one writer at a time, so steps run one after another (a DuckLake with its catalog in PostgreSQL runs independent steps at the same time: docs/scale.md)`,
  );
  return 1;
}
