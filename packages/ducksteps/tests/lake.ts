// DuckLake test helpers: separate DuckDB client processes (each ducksteps step is one), driven one statement
// at a time so a test can interleave them, and the ATTACH strings of the two catalog kinds.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FIXTURES } from './helpers.js';

export interface Answer {
  readonly ok: boolean;
  readonly rows?: Record<string, unknown>[];
  readonly error?: string;
  readonly ms: number;
}

/** The answer to runFile: per-statement milliseconds, and the 0-based index of the failed statement. */
export interface FileAnswer {
  readonly ok: boolean;
  readonly statements: number;
  readonly ms: number[];
  readonly failed?: number;
  readonly error?: string;
}

/** A DuckDB process (fixtures/lake/client.mjs) that runs one request at a time. */
export interface Client {
  /** Runs one statement and returns DuckDB's answer, never throwing for an SQL error. */
  run(sql: string): Promise<Answer>;
  /** Runs one statement and throws unless it succeeded; returns its rows (BIGINTs come as strings). */
  ok(sql: string): Promise<Record<string, unknown>[]>;
  /** Runs a file's statements one by one (DuckDB splits them), stopping at the first error. */
  runFile(path: string): Promise<FileAnswer>;
  /** CPU milliseconds (user + system, all threads) this process used so far, and its peak RSS. */
  stats(): Promise<{ cpuMs: number; maxRssMb: number }>;
  /** SIGKILL, as a crash or `kill -9` would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Closes stdin so the client closes DuckDB and exits; resolves with the exit code. */
  close(): Promise<number | null>;
  readonly process: ChildProcess;
  /** Milliseconds the client took to load @duckdb/node-api and open DuckDB (measured inside it). */
  readonly startMs: number;
}

export interface ClientOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** allow_unsigned_extensions: skip the signature check when loading extension files (faster start). */
  readonly unsigned?: boolean;
}

/** Starts a client process with the given extension_directory ('' = DuckDB's default); resolves when DuckDB is open. */
export async function startClient(extensionDir: string, options: ClientOptions = {}): Promise<Client> {
  const child = spawn(process.execPath, [join(FIXTURES, 'lake', 'client.mjs')], {
    env: { ...process.env, ...options.env, EXTENSION_DIR: extensionDir, ALLOW_UNSIGNED: options.unsigned ? '1' : '0' },
    stdio: ['pipe', 'pipe', 'inherit'],
    cwd: options.cwd,
  });
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    const line = await lines.next();
    if (line.done) throw new Error(`lake client exited (code ${child.exitCode}, signal ${child.signalCode})`);
    return JSON.parse(line.value) as T;
  };
  const ready = await next<Answer>();
  let queue: Promise<unknown> = Promise.resolve();
  const send = <T>(request: object): Promise<T> => {
    const answer = queue.then(() => {
      child.stdin!.write(`${JSON.stringify(request)}\n`);
      return next<T>();
    });
    queue = answer.catch(() => undefined);
    return answer;
  };
  const run = (sql: string) => send<Answer>({ sql });
  return {
    process: child,
    startMs: ready.ms,
    run,
    runFile: (file) => send<FileAnswer>({ file }),
    stats: () => send<{ cpuMs: number; maxRssMb: number }>({ stats: true }),
    async ok(sql) {
      const answer = await run(sql);
      if (!answer.ok) throw new Error(`${sql}\n-> ${answer.error}`);
      return answer.rows ?? [];
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async close() {
      child.stdin!.end();
      const [code] = await exited;
      return code as number | null;
    },
  };
}

/** The catalog part of `ATTACH 'ducklake:<catalog>'` for a PostgreSQL database (libpq key=value form). */
export const postgresCatalog = (db: { host: string; port: number; user: string; password?: string; dbname: string }) =>
  `postgres:dbname=${db.dbname} host=${db.host} port=${db.port} user=${db.user}${db.password ? ` password=${db.password}` : ''}`;

/** `ATTACH 'ducklake:<catalog>' AS <alias> (DATA_PATH '<dataPath>')`, DATA_PATH left out when not given. */
export const attachSql = (catalog: string, alias = 'lake', dataPath?: string) =>
  `ATTACH 'ducklake:${catalog}' AS ${alias}${dataPath ? ` (DATA_PATH '${dataPath}')` : ''}`;
