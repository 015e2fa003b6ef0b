// Scratch: run statements one by one in a fresh in-memory DuckDB with the provisioned extensions, printing
// each statement's rows or its exact error. Usage: node bench/lake/sql.mjs "SQL1" "SQL2" … ("@file" reads a
// file and splits it with extractStatements; "!sleep 2" waits; "!exit" exits without closing).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
const { DuckDBInstance } = createRequire(import.meta.url)('@duckdb/node-api');
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const extDir = process.env.EXT_DIR ?? join(repo, '.cache', 'duckdb-extensions');
const instance = await DuckDBInstance.create(':memory:', { extension_directory: extDir });
const c = await instance.connect();
const quiet = process.env.QUIET === '1';
let failed = 0;
async function one(sql) {
  const t = performance.now();
  try {
    const r = await c.runAndReadAll(sql);
    const rows = r.getRowObjectsJson();
    const ms = (performance.now() - t).toFixed(0);
    if (!quiet)
      console.log(
        `ok ${ms}ms: ${sql.trim().slice(0, 160).replace(/\s+/g, ' ')}\n   ${JSON.stringify(rows.slice(0, 20))}`,
      );
  } catch (e) {
    failed++;
    console.log(`ERROR: ${sql.trim().slice(0, 300).replace(/\s+/g, ' ')}\n   ${e.message}`);
    if (process.env.STOP === '1') process.exit(1);
  }
}
for (const arg of process.argv.slice(2)) {
  if (arg.startsWith('!sleep ')) {
    await new Promise((r) => setTimeout(r, Number(arg.slice(7)) * 1000));
    continue;
  }
  if (arg === '!exit') process.exit(0);
  if (arg === '!kill') process.kill(process.pid, 'SIGKILL');
  if (arg.startsWith('@')) {
    const text = readFileSync(arg.slice(1), 'utf8');
    const ex = await c.extractStatements(text);
    for (let i = 0; i < ex.count; i++) {
      const p = await ex.prepare(i);
      // prepare() gives no SQL text; re-run by splitting is simpler: use the prepared statement
      const t = performance.now();
      try {
        await p.run();
        if (!quiet) console.log(`ok ${(performance.now() - t).toFixed(0)}ms: statement ${i + 1} of ${arg}`);
      } catch (e) {
        failed++;
        console.log(`ERROR: statement ${i + 1} of ${arg}\n   ${e.message}`);
        if (process.env.STOP === '1') process.exit(1);
      }
    }
    continue;
  }
  await one(arg);
}
c.closeSync();
instance.closeSync();
process.exit(failed ? 1 : 0);
