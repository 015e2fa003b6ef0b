// npm run bench:peers [-- --pairs 5 --warmup 1 --large-pairs 3 --large-warmup 1 --orders 10000000 --sf 10 --only small,startup,example,tpch --no-write]
// The peer benchmark: the same work on ducksteps, dbt (dbt-core + dbt-duckdb) and SQLMesh, on this machine,
// in one run, the runs alternating. Installs the peers into .cache/peers/venv on first use, writes the
// projects under .cache/peers/work, prints the figures, writes the Peers section of docs/performance.md.
// Exits 1 when a case's tables differ between the tools (or a tool fails).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderTable } from '../../packages/ducksteps/lib/report/tables.js';
import { runCase, type Case, type CaseResult } from './rounds.js';
import { figures } from './report.js';
import { writeDoc } from './doc.js';
import { smallCase, smallProjects, startupCase } from './small.js';
import { REPO } from './tools.js';
import { ensureVenv } from './venv.js';

const { values: opt } = parseArgs({
  options: {
    pairs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    // the example and TPC-H cases (minutes per run): their own round counts, by default the same
    'large-pairs': { type: 'string' },
    'large-warmup': { type: 'string' },
    orders: { type: 'string', default: '10000000' },
    sf: { type: 'string', default: '10' },
    only: { type: 'string', default: 'small,startup,example,tpch' },
    threads: { type: 'string', default: String(cpus().length) },
    'no-write': { type: 'boolean', default: false },
  },
});
const rounds = { pairs: Number(opt.pairs), warmup: Number(opt.warmup) };
const large = { pairs: Number(opt['large-pairs'] ?? opt.pairs), warmup: Number(opt['large-warmup'] ?? opt.warmup) };
const only = new Set(opt.only!.split(','));
const threads = Number(opt.threads);
const log = (s: string) => console.error(s);
const work = join(REPO, '.cache', 'peers', 'work');
const logDir = join(work, 'logs');
mkdirSync(logDir, { recursive: true });
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const command = process.argv.slice(2).join(' ');

const venv = ensureVenv(REPO, log);
log(
  `peers: ${Object.entries(venv.versions)
    .map(([p, v]) => `${p} ${v}`)
    .join(', ')}`,
);
const results: CaseResult[] = [];
const failures: string[] = [];
// every case's latest result is kept here, so a run of some cases (--only) rewrites the section with the others' last figures
const store = join(REPO, '.cache', 'peers', 'results.json');
const stored = (): Record<string, CaseResult> => (existsSync(store) ? JSON.parse(readFileSync(store, 'utf8')) : {});
const ORDER = ['small', 'startup', 'example-full', 'example-next', 'example-nothing', 'tpch'];

async function run(c: Case, r0 = rounds) {
  log(`${c.id}: ${c.label} …`);
  try {
    const r = {
      ...(await runCase(c, r0, venv.bin('python'), logDir, log)),
      command,
      date: new Date().toISOString().slice(0, 10),
    };
    results.push(r);
    writeFileSync(store, JSON.stringify({ ...stored(), [r.id]: r }));
    if (r.tablesEqual === false) failures.push(`${c.id}: the tools produced different tables`);
    report(); // after every case, so a long run that is stopped keeps what it measured
  } catch (e) {
    failures.push(`${c.id}: ${(e as Error).message}`);
    log(`${c.id} FAILED: ${(e as Error).message}`);
  }
}

if (only.has('small') || only.has('startup')) {
  const dirs = smallProjects(join(work, 'small'), threads);
  if (only.has('small')) await run(smallCase(venv, dirs));
  if (only.has('startup')) await run(startupCase(venv, dirs));
}
if (only.has('example')) {
  const { exampleCases } = await import('./example.js');
  for (const c of await exampleCases(venv, join(work, 'example'), Number(opt.orders), threads, log))
    await run(c, large);
}
if (only.has('tpch')) {
  const { tpchCase } = await import('./tpch.js');
  await run(await tpchCase(venv, join(work, 'tpch'), Number(opt.sf), threads, log), large);
}

/** Prints the figures so far and (unless --no-write) rewrites the Peers section of docs/performance.md. */
function report(final = false) {
  const all = { ...stored(), ...Object.fromEntries(results.map((r) => [r.id, r])) };
  const merged = Object.values(all).sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
  const { head, rows, verdicts } = figures(final ? results : merged);
  if (final) {
    console.log(renderTable({ color: false }, head, rows));
    for (const v of verdicts)
      console.log(
        `${v.caseId} vs ${v.tool}: ${v.what} ${v.value.toFixed(3)}× (goal ${v.goal}): ${v.met ? 'met' : 'MISSED'}`,
      );
  }
  const doc = figures(merged);
  if (!opt['no-write'])
    writeDoc(join(REPO, 'docs', 'performance.md'), {
      ...doc,
      results: merged,
      versions: venv.versions,
      machine,
      rounds,
      large,
      threads,
      command,
      failures,
      partial: !final,
    });
}
report(true);
for (const f of failures) console.error(f);
process.exitCode = failures.length ? 1 : 0;
