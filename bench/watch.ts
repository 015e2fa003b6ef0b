// Watch scenarios: P8 (what detecting and batching adds to latency); the project and the file drops the soak
// (watch-soak.ts) uses too.
import { execa, type ResultPromise } from 'execa';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../packages/ducksteps/lib/logs/history.js';
import { REPO, syntheticProject } from './scenarios.js';

export const CLI = join(REPO, 'packages', 'ducksteps', 'bin', 'ducksteps.js');
const LOAD = `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS events (batch_id INTEGER, file VARCHAR, id INTEGER, v INTEGER);
{% if batch.full_refresh %}DELETE FROM events;{% endif %}
{% if batch.count.events %}
INSERT INTO events SELECT {{ batch.id }}, parse_filename(filename), id, v FROM read_csv({{ batch.files.events }}, header = true, filename = true, columns = {'id': 'INTEGER', 'v': 'INTEGER'});
{% endif %}`;
const TOTALS = `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS totals AS SELECT file, count(*) AS n, sum(v) AS s FROM events WHERE false GROUP BY file;
{% if batch.full_refresh %}DELETE FROM totals;{% endif %}
INSERT INTO totals SELECT file, count(*), sum(v) FROM events WHERE batch_id = {{ batch.id }} GROUP BY file;`;

/** A small incremental project: events land in data/landing/ev/, two incremental steps (loaded files move
 * to `archive` when given). */
export function eventsProject(dir: string, archive?: string): string {
  syntheticProject(dir, { '01_load': LOAD, '02_totals': TOTALS });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ ducksteps: { inputs: { events: 'data/landing/ev/*.csv' }, ...(archive ? { archive } : {}) } }),
  );
  mkdirSync(join(dir, 'data', 'landing', 'ev'), { recursive: true });
  return dir;
}

/** Writes a file the documented way: a temporary name, then a rename into place. */
export function dropFile(dir: string, n: number): void {
  const name = `e${String(n).padStart(5, '0')}.csv`;
  const rows = Array.from({ length: 50 }, (_, i) => `${n * 100 + i},${(n * 7 + i) % 97}`).join('\n');
  writeFileSync(join(dir, 'data/landing/ev', `${name}.tmp`), `id,v\n${rows}\n`);
  renameSync(join(dir, 'data/landing/ev', `${name}.tmp`), join(dir, 'data/landing/ev', name));
}

const startWatch = (dir: string, args: string[]) =>
  execa(process.execPath, [CLI, 'watch', ...args], { cwd: dir, reject: false, env: { NO_COLOR: '1' } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (text: string) => Number(text.replace(/ s$/, ''));

/** Resolves when the watch prints its start line. */
function started(child: ResultPromise): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    child.stdout?.on('data', (c: Buffer) => {
      seen += String(c);
      if (seen.includes('watching')) resolve();
    });
  });
}

/** P8: drop `files` files at random intervals; per micro-batch, latency minus its own run time. */
export async function p8(root: string, files = 20, maxWaitMs = 1000) {
  const dir = eventsProject(join(root, 'p8'));
  const child = startWatch(dir, ['--max-wait', `${maxWaitMs}ms`, '--batch-size', '1000']);
  await started(child);
  for (let n = 1; n <= files; n++) {
    dropFile(dir, n);
    await sleep(300 + Math.random() * 2500);
  }
  await sleep(maxWaitMs + 3000);
  child.kill('SIGINT');
  const out = (await child).stdout;
  const lines = [...out.matchAll(/micro-batch \d+: (\d+) files?, [\d,]+ rows?, ([\d.]+ s), latency ([\d.]+ s)/g)];
  const overhead = lines.map((m) => seconds(m[3]) - seconds(m[2]));
  return {
    batches: lines.length,
    files: lines.reduce((sum, m) => sum + Number(m[1]), 0),
    medianOverhead: median(overhead) ?? NaN,
    maxOverhead: Math.max(...overhead),
    maxWaitMs,
  };
}
