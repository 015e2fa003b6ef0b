// Which warehouse a `database` setting names, for both processes: a DuckDB file (a path), or a DuckLake —
// `ducklake:postgres:dbname=… host=…` (the catalog in PostgreSQL: many writers, many machines),
// `ducklake:path/catalog.ducklake` (a DuckDB-file catalog) or `ducklake:sqlite:path` — with its data path.
// Also how to name one for people: a catalog's password never leaves this file unmasked.
import { basename, isAbsolute, join, resolve } from 'node:path';
import type { Connection, DuckWarehouse, Home, Project, Settings, Warehouse } from './model.js';

const LAKE = /^ducklake:/i;
const PASSWORD = /(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]+)/i;

/** The logs folder of the run's target: logs/ (the default target, or no targets) or logs/NAME/. */
export const logsOf = (root: string, settings?: Pick<Settings, 'logs'>): string => settings?.logs ?? join(root, 'logs');

/** Whether a `database` setting names a DuckLake. */
export const isLake = (database: string): boolean => LAKE.test(database);

const absolute = (root: string, path: string) =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(path) || isAbsolute(path) ? path : resolve(root, path);
const folder = (path: string) => (path.endsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? path : `${path}/`);

/** The Spark Connect URL of the cluster (a secret: it may hold a token), from DUCKSTEPS_SPARK_URL. */
export const sparkUrl = (): string | undefined => process.env.DUCKSTEPS_SPARK_URL;

/** The warehouse the settings name, paths made absolute against the project folder. On Spark, `database`
 * names the ledger's store. */
export function warehouseOf(
  root: string,
  settings: Pick<Settings, 'database' | 'dataPath' | 'extensionDir' | 'engine'>,
): Warehouse {
  const local = duckWarehouseOf(root, settings);
  return settings.engine === 'spark' ? { engine: 'spark', url: sparkUrl() ?? '', ledger: local } : local;
}

export function duckWarehouseOf(
  root: string,
  settings: Pick<Settings, 'database' | 'dataPath' | 'extensionDir'>,
): DuckWarehouse {
  const extensionDir = settings.extensionDir && absolute(root, settings.extensionDir);
  if (!isLake(settings.database)) return { engine: 'duckdb', path: resolve(root, settings.database), extensionDir };
  const spec = settings.database.replace(LAKE, '');
  const kind = /^postgres:/i.test(spec) ? 'postgres' : /^sqlite:/i.test(spec) ? 'sqlite' : 'duckdb';
  const catalog =
    kind === 'postgres'
      ? spec
      : kind === 'sqlite'
        ? `sqlite:${absolute(root, spec.slice('sqlite:'.length))}`
        : absolute(root, spec);
  const dataPath = folder(absolute(root, settings.dataPath ?? 'data/lake'));
  return { engine: 'ducklake', catalog, catalogKind: kind, dataPath, extensionDir };
}

/** A catalog string with its password masked. */
export const maskPassword = (text: string): string => text.replace(PASSWORD, '$1***');

/** The password written in a PostgreSQL catalog string, if any (quotes removed). */
export function passwordOf(catalog: string): string | undefined {
  const value = catalog.match(PASSWORD)?.[2];
  return value?.startsWith("'") ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
}

/** The catalog string without its password (the worker passes that through PGPASSWORD instead, so DuckDB
 * never holds it in duckdb_databases()). */
export const withoutPassword = (catalog: string): string =>
  catalog
    .replace(PASSWORD, '')
    .replace(/\s{2,}/g, ' ')
    .trim();

/** A Spark Connect URL with its token (and any other secret parameter) masked. */
export const maskUrl = (url: string): string =>
  url.replace(/([;/?&])([^;/?&=]+)=([^;&]*)/g, (whole, sep: string, key: string) =>
    /token|password|passwd|secret|auth|api[-_]?key/i.test(key) ? `${sep}${key}=***` : whole,
  );

/** The name a worker attaches a DuckLake as, and USEs (engines/ducklake/lake.ts). */
export const LAKE_ALIAS = 'lake';

/** Where a step's unqualified names go on this warehouse, as its session starts: a DuckDB file's catalog is
 * named after the file (up to the first dot), a lake is attached as `lake` into an in-memory DuckDB, Spark's
 * tables live in spark_catalog.default. The lineage names tables relative to it (render/names.ts). */
export function homeOf(warehouse: Warehouse): Home {
  if (warehouse.engine === 'spark')
    return { catalog: 'spark_catalog', schema: 'default', catalogs: ['spark_catalog'], reset: 'spark_catalog' };
  if (warehouse.engine === 'ducklake')
    return { catalog: LAKE_ALIAS, schema: 'main', catalogs: [LAKE_ALIAS, 'memory', 'system', 'temp'], reset: 'memory' };
  const catalog = basename(warehouse.path).split('.')[0].toLowerCase();
  return { catalog, schema: 'main', catalogs: [catalog, 'system', 'temp'], reset: catalog };
}

/** The warehouse named for messages and logs. */
export const describeWarehouse = (warehouse: Warehouse): string =>
  warehouse.engine === 'duckdb'
    ? warehouse.path
    : warehouse.engine === 'ducklake'
      ? `ducklake:${maskPassword(warehouse.catalog)} (data ${warehouse.dataPath})`
      : `Spark at ${maskUrl(warehouse.url)} (ledger ${describeWarehouse(warehouse.ledger)})`;

/** The warehouse whose lock, ledger and catalog the driver deals with: a DuckDB one (Spark's ledger store). */
export const localPart = (warehouse: Warehouse): DuckWarehouse =>
  warehouse.engine === 'spark' ? warehouse.ledger : warehouse;

/** How the run's workers open the warehouse. */
export function connectionOf(project: Pick<Project, 'root'>, settings: Settings): Connection {
  const { defer } = settings;
  return {
    warehouse: warehouseOf(project.root, settings),
    ...(defer && {
      defer: {
        target: defer.target,
        running: settings.target,
        warehouse: duckWarehouseOf(project.root, { ...defer, extensionDir: settings.extensionDir }),
      },
    }),
    threads: settings.threads,
    memoryLimit: settings.memoryLimit,
    lockTimeoutMs: settings.lockTimeoutMs,
  };
}
