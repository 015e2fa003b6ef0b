// Scratch (UNSIGNED=1: allow_unsigned_extensions, which skips the signature check): what one step-like process pays to reach a lake: node start, DuckDB open, LOAD, ATTACH, one
// query, close. Prints per-phase milliseconds (in process) as JSON; the caller times the whole process.
import { createRequire } from 'node:module';
const t0 = performance.now();
const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api');
const [kind, target, extDir, dataPath] = process.argv.slice(2);
const lap = {};
let last = performance.now();
lap.require = last - t0;
const mark = (k) => {
  const n = performance.now();
  lap[k] = +(n - last).toFixed(1);
  last = n;
};
const config = extDir ? { extension_directory: extDir } : {};
if (process.env.UNSIGNED) config.allow_unsigned_extensions = 'true';
const inst = await DuckDBInstance.create(kind === 'file' ? target : ':memory:', config);
const c = await inst.connect();
mark('open');
if (kind === 'file') {
  await c.run('SELECT 1');
  mark('query');
} else {
  if (process.env.LOAD_PATHS)
    for (const p of process.env.LOAD_PATHS.split(',')) {
      await c.run(`LOAD '${p}'`);
      mark('load ' + p.split('/').pop());
    }
  else {
    await c.run('LOAD ducklake');
    mark('load ducklake');
    if (target.startsWith('postgres:')) {
      await c.run('LOAD postgres_scanner');
      mark('load postgres_scanner');
    }
  }
  if (process.env.DEBUG_PG) await c.run('SET pg_debug_show_queries = true');
  await c.run(`ATTACH 'ducklake:${target}' AS lake${dataPath ? ` (DATA_PATH '${dataPath}')` : ''}`);
  mark('attach');
  await c.run('USE lake');
  mark('use');
  const r = await c.runAndReadAll('SELECT count(*) FROM t');
  mark('query');
}
c.closeSync();
inst.closeSync();
mark('close');
const { userCPUTime, systemCPUTime } = process.resourceUsage();
lap.cpu = +((userCPUTime + systemCPUTime) / 1000).toFixed(0);
console.log(JSON.stringify(lap));
