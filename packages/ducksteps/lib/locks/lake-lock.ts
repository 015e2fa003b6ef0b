// The run lock of a pipeline on a DuckLake whose catalog is in PostgreSQL: it lives with the lake, so a second
// driver on any machine is refused at once, naming the first (host, PID, since when). A session-level
// advisory lock per pipeline (released by PostgreSQL when the holder's connection ends, however it ends)
// guards a row saying who holds it. Different pipelines (package.json "name") may run on one lake at once.
// A session can end while its run goes on (network, failover, idle_session_timeout): the lock then carries a
// fence token the lake checks at every commit (worker/fence.ts), and a takeover is said on the console.
import { hostname } from 'node:os';
import pg from 'pg';
import { LockError } from '../errors.js';
import { alive } from '../processes/alive.js';
import type { Lock } from './run-lock.js';

/** node-postgres settings from a DuckLake catalog string `postgres:dbname=… host=… port=… user=… password=…`
 * (libpq key=value pairs; PG* environment variables fill in what is not given, as for libpq). */
export function pgConfig(catalog: string): pg.ClientConfig {
  const spec = catalog.replace(/^postgres:/i, '');
  if (/^postgres(ql)?:\/\//i.test(spec)) return { connectionString: spec, application_name: 'ducksteps' };
  const pairs = Object.fromEntries(
    [...spec.matchAll(/(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/g)].map((m) => [
      m[1].toLowerCase(),
      m[2].startsWith("'") ? m[2].slice(1, -1).replace(/\\(.)/g, '$1') : m[2],
    ]),
  );
  return {
    host: pairs.host,
    port: pairs.port ? Number(pairs.port) : undefined,
    user: pairs.user,
    password: pairs.password,
    database: pairs.dbname,
    application_name: 'ducksteps',
    keepAlive: true,
  };
}

const TABLE = 'ducksteps_run_lock';

interface Holder {
  host: string;
  pid: number;
  run_id: string;
  started_at: Date;
}

async function holderOf(client: pg.Client, pipeline: string): Promise<Holder | undefined> {
  return (
    await client.query<Holder>(`SELECT host, pid, run_id, started_at FROM ${TABLE} WHERE pipeline = $1`, [pipeline])
  ).rows[0];
}

/** What to say when the lock's last holder did not release it: on this machine with its process gone, it
 * died (the plain "never finished" says that); else it may still be running, its lock session lost. */
function takeoverNote(holder: Holder, pipeline: string): string | undefined {
  if (holder.host === hostname() && !alive(holder.pid)) return undefined;
  return `run ${holder.run_id} (host ${holder.host}, PID ${holder.pid}, started ${holder.started_at.toISOString()}) held the lake's run lock of pipeline "${pipeline}" and its connection to PostgreSQL ended without releasing it: it died, or it lost the connection and is still running. This run takes the lake over; that run, if still going, fails at its next commit`;
}

/** Takes the pipeline's lock on the lake; throws LockError naming the holder when another run has it.
 * `lakeExists` tells whether the lake's catalog has been created yet; `onLost` hears when the lock's session
 * ends while the run holds it (another run may then take it over: the fence stops this run's commits). */
export async function acquireLakeLock(
  catalog: string,
  pipeline: string,
  runId: string,
  onLost?: (message: string) => void,
): Promise<Lock & { lakeExists: boolean }> {
  const client = new pg.Client({ ...pgConfig(catalog), application_name: `ducksteps lock ${pipeline}`.slice(0, 63) });
  let held = false;
  const lost = (why: string) => {
    if (!held) return;
    held = false;
    onLost?.(
      `the run lock's connection to PostgreSQL ended (${why}): another run of pipeline "${pipeline}" may now take the lake over, and this run then stops at its next commit`,
    );
  };
  client.on('error', (error) => lost(error.message));
  client.on('end', () => lost('the server closed it'));
  try {
    await client.connect();
    // a machine that dies without closing the socket frees the lock in about a minute, not hours
    await client.query('SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3');
    await client
      .query(
        `CREATE TABLE IF NOT EXISTS ${TABLE} (pipeline text PRIMARY KEY, host text NOT NULL, pid integer NOT NULL, run_id text NOT NULL, started_at timestamptz NOT NULL)`,
      )
      .catch(() => undefined); // a concurrent creator won
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
      `ducksteps:${pipeline}`,
    ]);
    if (!rows[0].ok) {
      const holder = await holderOf(client, pipeline);
      const who = holder
        ? `host ${holder.host}, PID ${holder.pid}, run ${holder.run_id}, started ${holder.started_at.toISOString()}`
        : 'a run that is starting';
      throw new LockError(`the lake is in use by another ducksteps run of pipeline "${pipeline}" (${who})`, {
        hint: 'wait for it to finish or stop it; the lock goes when its process ends, on whichever machine it runs',
      });
    }
    held = true;
    const stale = await holderOf(client, pipeline);
    await client.query(
      `INSERT INTO ${TABLE} VALUES ($1, $2, $3, $4, now()) ON CONFLICT (pipeline) DO UPDATE SET host = excluded.host, pid = excluded.pid, run_id = excluded.run_id, started_at = excluded.started_at`,
      [pipeline, hostname(), process.pid, runId],
    );
    const lakeExists =
      (await client.query<{ t: string | null }>("SELECT to_regclass('ducklake_metadata')::text AS t")).rows[0].t !==
      null;
    const release = () => {
      held = false;
      void client
        .query(`DELETE FROM ${TABLE} WHERE pipeline = $1 AND run_id = $2`, [pipeline, runId])
        .catch(() => undefined)
        .finally(() => client.end().catch(() => undefined));
    };
    return {
      stale: stale && { pid: stale.pid, runId: stale.run_id, startedAt: stale.started_at.toISOString() },
      takeover: stale && takeoverNote(stale, pipeline),
      fence: { pipeline, token: runId, runId, host: hostname(), pid: process.pid },
      release,
      lakeExists,
    };
  } catch (error) {
    held = false;
    await client.end().catch(() => undefined);
    if (error instanceof LockError) throw error;
    throw new LockError(`cannot reach the lake's PostgreSQL catalog for the run lock: ${(error as Error).message}`, {
      hint: 'check that the server runs and the --db ducklake:postgres:… string (host, port, dbname, user; the password, or PGPASSWORD) is right',
    });
  }
}
