// A DuckLake for the tests: one throwaway PostgreSQL server per test file, a fresh catalog database per lake,
// the extension files from .ci/provision-extensions.sh, and a reader that attaches the lake as another
// DuckDB client would.
import tap, { type Test } from 'tap';
import { join } from 'node:path';
import { ensureExtensions } from './extensions.js';
import { startPostgres, type PostgresServer } from './postgres-server.js';
import { openDatabase, type Database } from '../lib/engines/duckdb/database.js';
import { openLake } from '../lib/engines/ducklake/lake.js';
import { warehouseOf } from '../lib/warehouse.js';

export const EXTENSIONS = ensureExtensions(['ducklake', 'postgres_scanner']);
/** What a CLI run on a lake needs in its environment. */
export const LAKE_ENV = { DUCKSTEPS_EXTENSION_DIR: EXTENSIONS };

let server: PostgresServer | undefined;
let lakes = 0;

/** The file's PostgreSQL server (started on first use, stopped when the file's tests end: its root test's
 * teardown, not the first caller's, so the file's tests share one server; each lake has its own database). */
export async function lakeServer(_t: Test): Promise<PostgresServer> {
  if (!server) {
    server = await startPostgres();
    tap.teardown(async () => {
      await server?.stop();
      server = undefined;
    });
  }
  return server;
}

export interface TestLake {
  readonly db: string; // the --db value: ducklake:postgres:… with the password in it
  readonly dataPath: string;
  readonly dbname: string;
  /** Rows of a query on the lake, read by another DuckDB client (read-only). */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

/** A new, empty lake: a catalog database in the server, Parquet under `dir`/lake-N. */
export async function newLake(t: Test, dir: string): Promise<TestLake> {
  const pg = await lakeServer(t);
  const dbname = `lake_${++lakes}_${process.pid}`;
  await pg.query(`CREATE DATABASE ${dbname}`);
  const db = `ducklake:postgres:dbname=${dbname} host=127.0.0.1 port=${pg.port} user=ducksteps password=secret-pw`;
  const dataPath = join(dir, `lake-${lakes}`);
  const query = async (sql: string) => {
    const warehouse = warehouseOf(dir, { database: db, dataPath, extensionDir: EXTENSIONS });
    if (warehouse.engine !== 'ducklake') throw new Error('not a lake');
    const session: Database = await openLake(warehouse, { readOnly: true });
    try {
      return (await session.query(sql)).rows;
    } finally {
      session.close();
    }
  };
  return { db, dataPath, dbname, query };
}

/** An in-memory DuckDB with the extension folder set, for comparing a lake with a DuckDB file. */
export const scratch = (): Promise<Database> => openDatabase(':memory:', { extensionDir: EXTENSIONS });
