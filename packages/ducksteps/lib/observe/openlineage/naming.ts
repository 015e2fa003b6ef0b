// Dataset names by the OpenLineage naming conventions (openlineage.io/docs/spec/naming): PostgreSQL
// `postgres://{host}:{port}` + `{database}.{schema}.{table}`, local files `file` + the absolute path. DuckDB has
// no row there; its name is the one OpenLineage's own dbt integration gives a dbt-duckdb table:
// `duckdb://{path}` + `{catalog}.{schema}.{table}`. A DuckLake (`ducklake://…`) and a cluster (its engine's
// namespace, engines/traits.ts) have none either: docs/observability.md says which names ducksteps chose.
import { basename, extname, resolve } from 'node:path';
import { clusterOf } from '../../engines/traits.js';
import type { PublishTarget, Warehouse } from '../../model.js';

export interface Dataset {
  readonly namespace: string;
  readonly name: string;
}

/** A conninfo string's fields (dbname=lake host=db port=5432). */
const conninfo = (text: string) =>
  Object.fromEntries(
    [...text.matchAll(/(\w+)=('(?:[^'\\]|\\.)*'|\S+)/g)].map((m) => [m[1], m[2].replace(/^'|'$/g, '')]),
  );

/** The namespace of a warehouse's tables, and the catalog/schema an unqualified name falls in. */
function warehouseNamespace(w: Warehouse): { namespace: string; prefix: string[]; schema: string } {
  if (w.engine === 'duckdb') {
    const catalog = basename(w.path, extname(w.path));
    return { namespace: `duckdb://${w.path}`, prefix: [catalog], schema: 'main' };
  }
  if (w.engine === 'ducklake') {
    if (w.catalogKind !== 'postgres') return { namespace: `ducklake://${w.catalog}`, prefix: [], schema: 'main' };
    const c = conninfo(w.catalog.replace(/^postgres:/i, ''));
    const where = `${c.host ?? 'localhost'}:${c.port ?? '5432'}/${c.dbname ?? ''}`;
    return { namespace: `ducklake+postgres://${where}`, prefix: [], schema: 'main' };
  }
  const cluster = clusterOf(w.engine);
  return { namespace: cluster.namespace(w.url), prefix: [], schema: cluster.home.schema };
}

/** A warehouse table (`schema.table` or `table`, as the lineage names it) as an OpenLineage dataset. */
export function tableDataset(warehouse: Warehouse, table: string): Dataset {
  const { namespace, prefix, schema } = warehouseNamespace(warehouse);
  const parts = table.split('.');
  const qualified = parts.length === 1 ? [schema, ...parts] : parts;
  return { namespace, name: (parts.length >= 3 ? parts : [...prefix, ...qualified]).join('.') };
}

/** A file (or a glob of them) the steps read or write, as a dataset of the local file system. */
export const fileDataset = (root: string, path: string): Dataset => ({ namespace: 'file', name: resolve(root, path) });

/** Where a publish target delivers, or undefined when it cannot be named (its PostgreSQL URL is not set). */
export function targetDataset(root: string, target: PublishTarget, env = process.env): Dataset | undefined {
  if (target.kind === 'file') return fileDataset(root, target.destination);
  if (target.kind !== 'postgres') return undefined;
  const value = env[target.options['url-env'] ?? 'DUCKSTEPS_PG_URL'];
  if (!value) return undefined;
  try {
    const url = new URL(value);
    const database = url.pathname.replace(/^\//, '') || url.username || 'postgres';
    const [schema, table] = target.destination.includes('.')
      ? target.destination.split('.')
      : ['public', target.destination];
    return { namespace: `postgres://${url.hostname}:${url.port || '5432'}`, name: `${database}.${schema}.${table}` };
  } catch {
    return undefined;
  }
}
