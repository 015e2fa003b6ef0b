// The PostgreSQL connection of a publish target (the only importer of pg): a client with the target's
// timeouts set on the server side (lock_timeout, statement_timeout), a listener for a connection that dies
// (a server stopping mid-COPY is an error of the delivery, never a crash of the worker), queries and COPY
// FROM STDIN of a CSV file. The transaction itself is pg-transaction.ts.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type PgRow = Record<string, unknown>;

/** One open connection, as the delivery uses it. */
export interface PgSession {
  query(sql: string, params?: readonly unknown[]): Promise<PgRow[]>;
  /** Streams a CSV file into a table with `COPY … FROM STDIN`; returns the rows copied. */
  copyFrom(sql: string, csvPath: string): Promise<number>;
  /** The error that ended the connection, if the server or the network ended it. */
  lost(): Error | undefined;
  end(): Promise<void>;
}

/** Connects with the server-side timeouts of a publish: waiting for a lock, or any one statement, longer
 * than `timeoutMs` is cancelled by PostgreSQL itself (and rolls the transaction back). The statement timeout
 * is a second later, so a statement waiting for a lock is cancelled as that (the clearer message). */
export async function connectPostgres(url: string, timeoutMs: number): Promise<PgSession> {
  const client = new pg.Client({
    connectionString: url,
    application_name: 'ducksteps',
    keepAlive: true,
    connectionTimeoutMillis: timeoutMs,
    lock_timeout: timeoutMs,
    statement_timeout: timeoutMs + 1000,
  });
  let lostWith: Error | undefined;
  client.on('error', (error) => {
    lostWith ??= error;
  }); // without a listener, a dead connection kills the process
  await client.connect();
  return {
    query: async (sql, params) => (await client.query(sql, params as unknown[] | undefined)).rows as PgRow[],
    copyFrom: async (sql, csvPath) => {
      const stream = copyFrom(sql);
      client.query(stream);
      await pipeline(createReadStream(csvPath), stream);
      return stream.rowCount ?? 0;
    },
    lost: () => lostWith,
    end: () => client.end().catch(() => undefined),
  };
}

/** Connects, asks the server its version and disconnects (doctor): "15.8", or throws the connection's error.
 * `config`: a URL, or node-postgres settings (a DuckLake catalog's key=value string, read by locks/). */
export async function pingPostgres(config: string | pg.ClientConfig, timeoutMs = 5000): Promise<string> {
  const settings = typeof config === 'string' ? { connectionString: config } : config;
  const client = new pg.Client({ ...settings, application_name: 'ducksteps', connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return String((await client.query('SHOW server_version')).rows[0]?.server_version ?? '?').split(' ')[0];
  } finally {
    await client.end().catch(() => undefined);
  }
}
