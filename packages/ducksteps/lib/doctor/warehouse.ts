// Doctor's checks of the configured warehouse: DuckDB and the extensions it needs (from a worker, without
// opening the warehouse), the warehouse itself, a lake's PostgreSQL catalog, a cluster, the free disk beside it
// and its run lock.
import { existsSync, statfsSync, statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { clusterOf, isCluster, traitsOf } from '../engines/traits.js';
import type { Settings } from '../model.js';
import { pgConfig } from '../locks/lake-lock.js';
import { lockFileOf, lockState } from '../locks/holder.js';
import { runJob } from '../processes/pool.js';
import { pingPostgres } from '../publish/postgres/delivery.js';
import { connectionOf } from '../project/pipeline.js';
import { localPart, maskPassword, maskUrl, warehouseOf } from '../warehouse.js';
import { error, ok, warning, type Check } from './check.js';

const MB = 1e6;
const shown = (root: string, path: string) => relative(root, path) || path;

/** The extensions a warehouse needs beyond DuckDB's built-in ones. */
function extensionsFor(root: string, settings: Settings): string[] {
  const local = localPart(warehouseOf(root, settings));
  return local.engine === 'duckdb'
    ? []
    : local.catalogKind === 'duckdb'
      ? ['ducklake']
      : ['ducklake', `${local.catalogKind}_scanner`];
}

/** DuckDB, its extensions and a cluster, as a worker finds them. */
export async function engineChecks(root: string, settings: Settings): Promise<Check[]> {
  const needed = extensionsFor(root, settings);
  const answer = await runJob(root, {
    kind: 'probe',
    connection: connectionOf({ root }, settings),
    extensions: needed,
  });
  if ('died' in answer)
    return [
      error(
        'duckdb',
        `a worker could not start DuckDB: ${answer.died.message}`,
        './install.sh (the DuckDB binding may be missing for this platform)',
      ),
    ];
  const { duckdb, extensions, cluster } = answer.result;
  const checks = [ok('duckdb', duckdb)];
  const fix = `put ${needed.map((n) => `${n}.duckdb_extension`).join(' and ')} in a folder named by DUCKSTEPS_EXTENSION_DIR (or "extensionDir"), or run INSTALL for each where DuckDB can download (docs/scale.md)`;
  const missing = extensions.filter((e) => e.error);
  checks.push(
    needed.length === 0
      ? ok('extensions', 'none needed by a DuckDB file (parquet, json and icu are built in)')
      : missing.length === 0
        ? ok(
            'extensions',
            `${needed.join(', ')} load${settings.extensionDir ? ` (from ${shown(root, settings.extensionDir)})` : ''}`,
          )
        : error('extensions', missing.map((e) => `${e.name}: ${e.error}`).join('; '), fix),
  );
  if (cluster && isCluster(settings.engine)) {
    const engine = traitsOf(settings.engine);
    const url = process.env[clusterOf(settings.engine).urlEnv] ?? '';
    checks.push(
      cluster.error
        ? error(
            engine.name,
            `${maskUrl(url)} does not answer: ${cluster.error}`,
            clusterOf(settings.engine).unreachableHint,
          )
        : ok(engine.name, `${engine.title} ${cluster.version} at ${maskUrl(url)}`),
    );
  }
  return checks;
}

/** The warehouse: a DuckDB file (its size, or not made yet) or a lake's catalog (PostgreSQL reachable). */
export async function warehouseCheck(root: string, settings: Settings): Promise<Check> {
  const local = localPart(warehouseOf(root, settings));
  if (local.engine === 'duckdb')
    return existsSync(local.path)
      ? ok('warehouse', `${shown(root, local.path)} (${(statSync(local.path).size / MB).toFixed(1)} MB)`)
      : ok('warehouse', `${shown(root, local.path)} is not made yet: the first run makes it`);
  if (local.catalogKind !== 'postgres')
    return ok('warehouse', `DuckLake, catalog ${shown(root, local.catalog)}, data ${shown(root, local.dataPath)}`);
  try {
    const version = await pingPostgres(pgConfig(local.catalog));
    return ok('warehouse', `DuckLake, catalog in PostgreSQL ${version} (${maskPassword(local.catalog)})`);
  } catch (e) {
    return error(
      'warehouse',
      `the lake's catalog ${maskPassword(local.catalog)} cannot be reached: ${(e as Error).message}`,
      'start PostgreSQL or correct --db / "database" (ducklake:postgres:dbname=… host=… user=…)',
    );
  }
}

/** Free space on the disk the warehouse (or a lake's data) is written to. */
export function diskCheck(root: string, settings: Settings): Check {
  const local = localPart(warehouseOf(root, settings));
  let folder = local.engine === 'duckdb' ? dirname(local.path) : local.dataPath;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(folder)) return ok('disk', `the lake's data is at ${folder} (not a local disk)`);
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  const fs = statfsSync(folder);
  const free = (fs.bavail * fs.bsize) / 1e9;
  const detail = `${free.toFixed(1)} GB free beside ${shown(root, folder)}`;
  if (free < 0.1)
    return error(
      'disk',
      detail,
      'free some space: a step that runs out of it is rolled back, a full disk stops the logs',
    );
  return free < 1
    ? warning(
        'disk',
        detail,
        'free some space before a large build (DuckDB also spills to disk beyond its memory limit)',
      )
    : ok('disk', detail);
}

/** The run lock: none, a run in progress, or a lock a dead run left behind. */
export function lockCheck(root: string, settings: Settings): Check {
  const path = lockFileOf(root, settings);
  if (!path) return ok('lock', "kept in the lake's PostgreSQL, freed when its run's connection ends");
  const state = lockState(path);
  if (!state) return ok('lock', 'no run in progress');
  const who = state.holder
    ? `run ${state.holder.runId} (PID ${state.holder.pid}, started ${state.holder.startedAt})`
    : 'a run';
  return state.running
    ? ok('lock', `${who} is in progress`)
    : warning(
        'lock',
        `${shown(root, path)} is stale: ${who} died holding it`,
        `the next run removes it by itself; or delete ${shown(root, path)}`,
      );
}
