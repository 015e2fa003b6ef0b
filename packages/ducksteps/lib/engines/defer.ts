// --defer: another target's warehouse attached read-only beside the run's own, so the names a run reads and does
// not build can resolve there (worker/defer.ts) with no copy: a DuckDB file attached READ_ONLY, a DuckLake
// attached READ_ONLY at its last snapshot.
import { existsSync } from 'node:fs';
import { DeferError } from '../errors.js';
import type { Connection } from '../model.js';
import { sqlIdent, sqlString } from '../sql/quote.js';
import { passwordOf, withoutPassword } from '../warehouse.js';
import type { Session } from './engine.js';
import { whileLocked } from './duckdb/database.js';

/** The catalog name the deferred-to warehouse is attached as. */
export const DEFER_ALIAS = 'ducksteps_defer';

/** The secret holding the deferred-to lake's catalog password (as the lake's own: engines/ducklake/lake.ts). */
const SECRET = 'ducksteps_defer_catalog';

/** The statements that attach the deferred-to warehouse, read-only. */
function attachStatements(defer: NonNullable<Connection['defer']>): string[] {
  const w = defer.warehouse;
  if (w.engine === 'duckdb') return [`ATTACH ${sqlString(w.path)} AS ${sqlIdent(DEFER_ALIAS)} (READ_ONLY)`];
  const password = passwordOf(w.catalog);
  const secret = password === undefined ? '' : `, META_SECRET ${sqlString(SECRET)}`;
  return [
    ...(password === undefined
      ? []
      : [`CREATE TEMPORARY SECRET ${SECRET} (TYPE postgres, PASSWORD ${sqlString(password)})`]),
    `ATTACH ${sqlString(`ducklake:${withoutPassword(w.catalog)}`)} AS ${sqlIdent(DEFER_ALIAS)} (DATA_PATH ${sqlString(w.dataPath)}, READ_ONLY${secret})`,
  ];
}

/** Attaches the deferred-to warehouse to an opened session; a DuckDB file that does not exist is refused,
 * naming both targets (DuckDB would try to create it). */
export async function attachDeferred(session: Session, connection: Connection): Promise<void> {
  const { defer } = connection;
  if (!defer) return;
  const w = defer.warehouse;
  const running = defer.running ? `target ${defer.running}` : 'this run';
  if (w.engine === 'duckdb' && !existsSync(w.path))
    throw new DeferError(`${running} defers to target ${defer.target}, whose warehouse ${w.path} does not exist`, {
      hint: `build ${defer.target} first (./run.sh --target ${defer.target}), or run without --defer`,
    });
  try {
    for (const sql of attachStatements(defer)) await whileLocked(() => session.run(sql), connection.lockTimeoutMs); // a prod step holding the file
  } catch (error) {
    throw new DeferError(
      `${running} defers to target ${defer.target}, and its warehouse could not be attached read-only: ${(error as Error).message.split('\n')[0]}`,
      { hint: `check that ${defer.target}'s warehouse exists and is readable`, cause: error },
    );
  }
}
