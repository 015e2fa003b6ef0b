// The run lock's fence, on a lake whose lock lives in PostgreSQL. The lock is a session lock the driver holds;
// when that session ends while the run goes on (a network blip, a failover, idle_session_timeout), a second run
// can take the lock and start. So the lock alone cannot keep two runs from committing: the lake itself must say
// which run holds it. A run that takes the lock writes its token into the pipeline's fence table (deleting the
// rows before it); every step transaction reads the token (it must be its run's) and appends a row. DuckLake
// refuses to commit an insert into a table another transaction deleted from since it began: a stale run's
// step that was running through a takeover conflicts at COMMIT, and when it runs again it reads the new token.
import { createHash } from 'node:crypto';
import type { Session } from '../engines/engine.js';
import type { Fence } from '../protocol.js';
import { sqlIdent, sqlString as text } from '../sql/quote.js';

/** This run no longer holds the pipeline's lock: another run took it over. */
export class FenceLost extends Error {}

/** The pipeline's fence table (one per pipeline, so another pipeline's takeover never touches this one's steps). */
const tableOf = (pipeline: string) =>
  `ducksteps.${sqlIdent(`run_fence_${createHash('sha256').update(pipeline).digest('hex').slice(0, 16)}`)}`;

const row = (fence: Fence, step: string | null) =>
  `(${text(fence.token)}, ${text(fence.runId)}, ${step === null ? 'NULL' : text(step)}, ${text(fence.host)}, ${fence.pid}, now())`;

/** The lake names this run's token from now on; a run that held the lock before can commit nothing more. */
export async function takeOver(session: Session, fence: Fence): Promise<void> {
  const table = tableOf(fence.pipeline);
  for (let attempt = 1; ; attempt++) {
    try {
      await session.begin();
      await session.run('CREATE SCHEMA IF NOT EXISTS ducksteps');
      await session.run(
        `CREATE TABLE IF NOT EXISTS ${table} (token VARCHAR NOT NULL, run_id VARCHAR NOT NULL, step VARCHAR, host VARCHAR NOT NULL, pid INTEGER NOT NULL, taken_at TIMESTAMPTZ NOT NULL)`,
      );
      await session.run(`DELETE FROM ${table}`);
      await session.run(`INSERT INTO ${table} VALUES ${row(fence, null)}`);
      await session.commit();
      return;
    } catch (error) {
      await session.rollback().catch(() => undefined);
      if (!session.isConflict(error) || attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 50));
    }
  }
}

/** Inside a step's transaction: the lake must still name this run's token; the row written here makes the
 * transaction conflict with a takeover that commits before it does. */
export async function checkFence(session: Session, fence: Fence, step: string): Promise<void> {
  const table = tableOf(fence.pipeline);
  const { rows } = await session
    .query(
      `SELECT token, run_id, host, pid, epoch_ms(taken_at) AS at_ms FROM ${table} WHERE step IS NULL ORDER BY taken_at DESC`,
    )
    .catch((error: unknown) => {
      throw new FenceLost(
        `the lake has no run lock fence for pipeline "${fence.pipeline}" (${(error as Error).message.split('\n')[0]})`,
      );
    });
  const holder = rows[0];
  if (holder && holder.token === fence.token && rows.length === 1) {
    await session.run(`INSERT INTO ${table} VALUES ${row(fence, step)}`);
    return;
  }
  const who = holder
    ? `run ${holder.run_id} (host ${holder.host}, PID ${holder.pid}) took it over at ${new Date(Number(holder.at_ms)).toISOString()}`
    : 'no run holds it';
  throw new FenceLost(
    `this run no longer holds the lake's run lock of pipeline "${fence.pipeline}": ${who}; nothing of this step was committed`,
  );
}
