// P9: publishing 1M rows × 10 columns to PostgreSQL (the publish phase's own time, from run_log.csv) vs
// `psql \copy` of the same rows from a CSV file into an existing table, on a throwaway local server.
import { execa } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, readLog } from '../packages/ducksteps/lib/logs/history.js';
import { postgresBin, startPostgres } from '../packages/ducksteps/tests/postgres-server.js';
import { floor, REPO, syntheticProject } from './scenarios.js';

const TABLE = (
  rows: number,
) => `CREATE OR REPLACE TABLE wide AS SELECT range AS id, range % 1000 AS grp, hash(range) % 100000 AS amount,
  (range % 997) / 7.0 AS ratio, CAST(range % 3 = 0 AS BOOLEAN) AS flag, DATE '2024-01-01' + CAST(range % 365 AS INTEGER) AS day,
  TIMESTAMP '2024-01-01' + to_seconds(range) AS at, 'customer ' || range AS name, md5(CAST(range AS VARCHAR)) AS code,
  CAST(range % 10000 AS DECIMAL(12, 2)) / 100 AS price FROM range(${rows})`;

export async function p9(root: string, rows = 1_000_000, pairs = 3) {
  if (!postgresBin()) return { skipped: 'PostgreSQL server binaries are not installed' } as const;
  const server = await startPostgres();
  try {
    await server.query('CREATE SCHEMA ml');
    const dir = syntheticProject(join(root, 'p9'), { '01_wide': TABLE(rows) });
    mkdirSync(join(dir, 'publish'), { recursive: true });
    writeFileSync(join(dir, 'publish', '01_wide.sql'), '-- publish: postgres ml.wide\nSELECT * FROM wide');
    const env = { ...process.env, DUCKSTEPS_PG_URL: server.url };
    await floor(dir, [
      'statement',
      'data/floor.duckdb',
      `COPY (${TABLE(rows).replace('CREATE OR REPLACE TABLE wide AS ', '')}) TO 'wide.csv' (FORMAT csv, HEADER false)`,
    ]);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < pairs; i++) {
      const published = await execa(process.execPath, [join(REPO, 'packages', 'ducksteps', 'bin', 'ducksteps.js')], {
        cwd: dir,
        env,
        reject: false,
      });
      if (published.exitCode !== 0) throw new Error(published.stdout);
      const row = readLog(join(dir, 'logs', 'run_log.csv'))
        .filter((r) => r.step === 'publish ml.wide')
        .at(-1)!;
      a.push(Number(row.duration_ms) / 1000);
      await server.query('DROP TABLE IF EXISTS public.wide_copy');
      await server.query('CREATE TABLE public.wide_copy (LIKE ml.wide)');
      const started = performance.now();
      await execa('psql', [server.url, '-q', '-c', `\\copy public.wide_copy FROM '${join(dir, 'wide.csv')}' CSV`]);
      b.push((performance.now() - started) / 1000);
    }
    return { rows, a: median(a)!, b: median(b)!, throughputRatio: median(b)! / median(a)! };
  } finally {
    await server.stop();
  }
}
