// Which warehouse a `database` setting names, for both processes: a DuckDB file (a path), or a DuckLake —
// `ducklake:postgres:dbname=… host=…` (the catalog in PostgreSQL: many writers, many machines),
// `ducklake:path/catalog.ducklake` (a DuckDB-file catalog) or `ducklake:sqlite:path` — with its data path.
// Also how to name one for people: a catalog's password never leaves this file unmasked.
import { basename, isAbsolute, join, resolve } from 'node:path';
import { clusterOf, isCluster, traitsOf } from './engines/traits.js';
import { onCluster, type Connection, type DuckWarehouse, type Home, type Settings, type Warehouse } from './model.js';
import { maskConnections, splitPassword } from './sql/conninfo.js';

const LAKE = /^ducklake:/i;

/** The logs folder of the run's target: logs/ (the default target, or no targets) or logs/NAME/. */
export const logsOf = (root: string, settings?: Pick<Settings, 'logs'>): string => settings?.logs ?? join(root, 'logs');

/** Whether a `database` setting names a DuckLake. */
export const isLake = (database: string): boolean => LAKE.test(database);

const absolute = (root: string, path: string) =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(path) || isAbsolute(path) ? path : resolve(root, path);
const folder = (path: string) => (path.endsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(path) ? path : `${path}/`);

/** The warehouse the settings name, paths made absolute against the project folder. On a cluster (its URL from
 * the engine's environment variable, a secret: it may hold a token), `database` names the ledger's store. */
export function warehouseOf(
  root: string,
  settings: Pick<Settings, 'database' | 'dataPath' | 'extensionDir' | 'engine'>,
): Warehouse {
  const local = duckWarehouseOf(root, settings);
  if (!isCluster(settings.engine)) return local;
  return { engine: settings.engine, url: process.env[clusterOf(settings.engine).urlEnv] ?? '', ledger: local };
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

/** Text naming a catalog (a --db string, a command line, a message) with every password in it masked: a
 * key=value `password=` and a postgres:// URL's. */
export const maskPassword = (text: string): string => maskConnections(text);

const conninfoOf = (catalog: string) => splitPassword(catalog.replace(/^postgres:/i, ''));

/** The password written in a PostgreSQL catalog string (key=value or URL), if any. */
export const passwordOf = (catalog: string): string | undefined =>
  /^postgres:/i.test(catalog) ? conninfoOf(catalog).password : undefined;

/** The catalog string without its password, a URL as key=value pairs (the worker hands the password to DuckDB
 * as a secret instead, so it is in no connection string DuckDB shows, and in no environment variable another
 * connection of the worker would read). */
export const withoutPassword = (catalog: string): string =>
  /^postgres:/i.test(catalog) ? `postgres:${conninfoOf(catalog).conninfo}` : catalog;

/** A cluster's URL with its token (and any other secret parameter) masked. */
export const maskUrl = (url: string): string =>
  url.replace(/([;/?&])([^;/?&=]+)=([^;&]*)/g, (whole, sep: string, key: string) =>
    /token|password|passwd|secret|auth|api[-_]?key/i.test(key) ? `${sep}${key}=***` : whole,
  );

/** The name a worker attaches a DuckLake as, and USEs (engines/ducklake/lake.ts). */
export const LAKE_ALIAS = 'lake';

/** Where a step's unqualified names go on this warehouse, as its session starts: a DuckDB file's catalog is
 * named after the file (up to the first dot), a lake is attached as `lake` into an in-memory DuckDB, a cluster's
 * tables live where its engine says. The lineage names tables relative to it (render/names.ts). */
export function homeOf(warehouse: Warehouse): Home {
  if (onCluster(warehouse)) return clusterOf(warehouse.engine).home;
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
      : `${traitsOf(warehouse.engine).title} at ${maskUrl(warehouse.url)} (ledger ${describeWarehouse(warehouse.ledger)})`;

/** The warehouse whose lock, ledger and catalog the driver deals with: a DuckDB one (a cluster's ledger store). */
export const localPart = (warehouse: Warehouse): DuckWarehouse => (onCluster(warehouse) ? warehouse.ledger : warehouse);

/** How workers open the warehouse for `pipeline` (project/pipeline.ts says which pipeline a project is). */
export function connectionTo(root: string, settings: Settings, pipeline: string): Connection {
  const { defer } = settings;
  return {
    warehouse: warehouseOf(root, settings),
    pipeline,
    ...(defer && {
      defer: {
        target: defer.target,
        running: settings.target,
        warehouse: duckWarehouseOf(root, { ...defer, extensionDir: settings.extensionDir }),
      },
    }),
    threads: settings.threads,
    memoryLimit: settings.memoryLimit,
    lockTimeoutMs: settings.lockTimeoutMs,
  };
}
