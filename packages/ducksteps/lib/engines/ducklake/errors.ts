// What a lake's failures mean, said as what happened and what to do, instead of DuckDB's internal wording: the
// catalog's PostgreSQL connection dropped or refused, a data path that cannot be written, a data path that is
// not the one the lake was created with. And the check that keeps a new lake from recording a data path it
// cannot use: the catalog stores the data path at creation, for good.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DuckWarehouse } from '../../model.js';
import { splitPassword } from '../../sql/conninfo.js';

type Lake = Extract<DuckWarehouse, { engine: 'ducklake' }>;

export interface Explained {
  readonly message: string;
  readonly hint: string;
}

// PostgreSQL's and libpq's words for a connection that ended or could not be made (not a bare "Connection
// refused": an object store's HTTP errors say that too)
const CONNECTION =
  /server closed the connection|terminating connection|connection to server .* failed|no connection to the server|could not (send|receive) data|SSL SYSCALL|connection not open|Failed to execute query "ROLLBACK"|Unable to connect to Postgres/i;
// what PostgreSQL or libpq said, when it says something a person can use
const DETAIL =
  /server closed the connection unexpectedly|terminating connection due to [a-z ]+|Connection refused|could not connect to server|timeout expired|no connection to the server|the database system is (shutting down|starting up|in recovery mode)/i;
const MISMATCH = /DATA_PATH parameter "([^"]*)" does not match existing data path in the catalog "([^"]*)"/;
const DATA_PATH_IO =
  /Permission denied|Read-only file system|Failed to create directory|Operation not permitted|cannot be written/i;

const isUrl = (path: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(path);

/** Where the catalog lives, for people: host, port and database, never the password. */
function catalogName(lake: Lake): string {
  if (lake.catalogKind !== 'postgres') return lake.catalog;
  const pairs = Object.fromEntries(
    [...splitPassword(lake.catalog.replace(/^postgres:/i, '')).conninfo.matchAll(/(\w+)=('(?:[^'\\]|\\.)*'|\S+)/g)].map(
      (m) => [m[1], m[2]],
    ),
  );
  return `PostgreSQL ${pairs.host ?? 'localhost'}:${pairs.port ?? '5432'}, database ${pairs.dbname ?? '(default)'}`;
}

/** Why a local data path cannot be written, if it cannot: checked on the folder, or the nearest one that
 * exists when it does not yet (nothing is created or written). */
export function dataPathProblem(dataPath: string): string | undefined {
  if (isUrl(dataPath)) return undefined; // an object store: DuckDB finds out
  let existing = dataPath;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    accessSync(existing, constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'a read-only file system' : code === 'EACCES' ? 'permission denied' : code;
    return `the lake's data path ${dataPath} cannot be written (${existing}: ${why})`;
  }
}

export const DATA_PATH_HINT =
  'give a folder this machine can write with --data-path (setting "dataPath"); a new lake is not created until its data path works';

/** The lake's explanation of a failure, when it is one of the lake's own; undefined for the step's SQL errors. */
export function explainLakeError(lake: Lake, raw: string): Explained | undefined {
  const mismatch = raw.match(MISMATCH);
  if (mismatch)
    return {
      message: `this lake keeps its data in ${mismatch[2]} (fixed when the lake was created), not in ${mismatch[1]}`,
      hint: `run with --data-path ${mismatch[2]} (or set "dataPath" in package.json); a relative path is resolved against the project folder`,
    };
  if (lake.catalogKind === 'postgres' && CONNECTION.test(raw)) {
    const detail = raw.match(DETAIL)?.[0];
    return {
      message: `the connection to the lake's catalog (${catalogName(lake)}) was lost or refused${detail ? ` (${detail})` : ''}`,
      hint: 'check that the server runs and can be reached, then run again: a batch is never loaded twice, even when the connection dropped just after a COMMIT reached PostgreSQL',
    };
  }
  if (DATA_PATH_IO.test(raw) && raw.includes(lake.dataPath.replace(/\/$/, ''))) {
    const problem = dataPathProblem(lake.dataPath);
    return {
      message: problem ?? `the lake's data path ${lake.dataPath} cannot be written: ${raw.split('\n')[0]}`,
      hint: DATA_PATH_HINT,
    };
  }
  return undefined;
}
