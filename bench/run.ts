// npm run bench [-- --pairs 5 --warmup 1 --orders 10000000 --p4-orders 50000000 --p6-orders 1000000 --rows 1000000 --p13-rows 30000000 --only P1,P3 --no-write]
// Runs P1–P13 side by side (and U1, the example's unit tests), prints the table, writes docs/performance.md; exits 1 if the two sides differ.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { comparePairs, type PairResult, type Prepare } from './pairs.js';
import { median } from '../packages/ducksteps/lib/logs/history.js';
import { ducksteps, p1, p2, p3, p5, p6p7, p10, p11, REPO } from './scenarios.js';
import { p8 } from './watch.js';
import { p9 } from './publish.js';
import { p12, p13 } from './overhead.js';
import { l1, l2, lakeBench } from './lake.js';
import { u1 } from './unit.js';
import { renderTable } from '../packages/ducksteps/lib/report/tables.js';
import { readFileSync } from 'node:fs';

const { values: opt } = parseArgs({
  options: {
    pairs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    orders: { type: 'string', default: '10000000' },
    'p4-orders': { type: 'string', default: '50000000' },
    rows: { type: 'string', default: '1000000' },
    only: { type: 'string', default: 'P1,P2,P3,P4,P5,P6,P7,P8,P9,P10,P11,P12,P13,L1,L2,U1' },
    'p13-rows': { type: 'string', default: '30000000' },
    'p6-orders': { type: 'string', default: '1000000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const [pairs, warmup] = [Number(opt.pairs), Number(opt.warmup)];
const only = new Set(opt.only!.split(','));
const root = mkdtempSync(join(tmpdir(), 'ducksteps-bench-'));
const GOALS: Record<string, number | undefined> = {
  P1: 1.3,
  P2: 1.03,
  P3: 1.1,
  P6: 0.15,
  P10: 1.5,
  P11: 1.03,
  P12: 2.0,
  P13: 1.03,
};
/** Goals on A's own time (seconds) rather than the ratio. */
const SECONDS: Record<string, number | undefined> = { P7: 1 };
const LABELS: Record<string, [string, string]> = {
  P1: ['20 trivial steps', '20 bare node+DuckDB processes'],
  P2: [`example pipeline, ${Number(opt.orders).toLocaleString('en-US')} orders`, 'same rendered SQL, one bare process'],
  P3: ['`test` with 100 assertions', 'same 100 queries, one bare process'],
  P5: ['`./run.sh list`', '`node -e 0`'],
  P6: [
    `ingest day 31 after 30 days (${Number(opt['p6-orders']).toLocaleString('en-US')} orders / 30 days)`,
    'full build of the 30 days',
  ],
  P7: ['a run with nothing new', 'full build of the 30 days'],
  P10: ['one step of 50,000 one-line INSERTs', 'same statements, one bare process'],
  P12: ['small project: 3 steps, 400 rows, 20 assertions', 'same SQL and queries, one bare process'],
  P13: [
    `4 steps over ${Number(opt['p13-rows']).toLocaleString('en-US')} generated rows (Parquet)`,
    'same rendered SQL, one bare process',
  ],
  L1: [
    `example on a DuckLake (catalog in PostgreSQL), ${Number(opt['p6-orders']).toLocaleString('en-US')} orders, from nothing`,
    'the same on a DuckDB file',
  ],
  L2: ['two independent heavy branches on a lake, `--jobs 2`', 'the same with `--jobs 1`'],
  P11: [
    `example with assertions gating their steps (${Number(opt['p6-orders']).toLocaleString('en-US')} orders)`,
    'same, every assertion after the steps ("gates": false)',
  ],
};
const results = new Map<string, PairResult>();
const fmt = (s: { median: number; min: number; max: number }) =>
  `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
const failures: string[] = [];

async function measure(
  id: string,
  scenario: { a: () => Promise<unknown>; b: () => Promise<unknown>; check: () => Promise<boolean>; prepare?: Prepare },
) {
  console.error(`${id}: ${LABELS[id].join(' vs ')} …`);
  const r = await comparePairs(scenario.a, scenario.b, pairs, warmup, scenario.prepare);
  if (!(await scenario.check())) failures.push(`${id}: the two sides produced different tables`);
  results.set(id, r);
  console.error(`${id}: A ${fmt(r.a)} s, B ${fmt(r.b)} s, median ratio ${r.ratio.toFixed(3)}`); // kept even if a later scenario fails
}

/** P4: one large run under a memory limit; peak RSS per process and the largest temp spill seen. */
async function p4() {
  const orders = Number(opt['p4-orders']);
  console.error(`P4: example pipeline, ${orders.toLocaleString('en-US')} orders, --memory-limit 1GB …`);
  const scenario = await p2(root, 1000, []); // a scratch copy of the example
  await scenario.prepare.a?.(); // from nothing: no day files of the small run left to find
  const tmpDir = join(scenario.dir, 'data', 'warehouse.duckdb.tmp');
  let spill = 0;
  const poll = setInterval(() => {
    if (!existsSync(tmpDir)) return;
    spill = Math.max(
      spill,
      readdirSync(tmpDir).reduce((sum, f) => sum + statSync(join(tmpDir, f)).size, 0),
    );
  }, 200);
  const started = performance.now();
  const run = await ducksteps(scenario.dir, ['--var', `orders=${orders}`, '--memory-limit', '1GB', '--json']).catch(
    (e) => e,
  );
  clearInterval(poll);
  const doc = JSON.parse(run.stdout);
  const failed = (doc.steps as Array<{ error?: { message: string } }>).find((s) => s.error);
  if (failed) failures.push(`P4: ${failed.error!.message.split('\n')[0]}`);
  return {
    seconds: (performance.now() - started) / 1000,
    status: doc.status as string,
    driverMb: doc.driver_peak_rss_mb as number,
    spillMb: Math.round(spill / 2 ** 20),
    steps: (
      doc.steps as Array<{ step: string; status: string; duration_ms: number; worker?: { peakRssMb: number } }>
    ).map((s) => [s.step, s.status, (s.duration_ms / 1000).toFixed(1), s.worker?.peakRssMb ?? '-']),
  };
}

/** P1's per-phase breakdown from the workers' own timings (one extra run). */
async function p1Phases() {
  const doc = JSON.parse((await ducksteps(join(root, 'p1a'), ['--json', '--recheck'])).stdout);
  const keys = ['bootMs', 'waitMs', 'openMs', 'executeMs', 'commitMs', 'closeMs'] as const;
  const steps = doc.steps as Array<{ duration_ms: number; worker: Record<string, number> }>;
  const avg = (f: (s: (typeof steps)[number]) => number) =>
    (steps.reduce((x, s) => x + f(s), 0) / steps.length).toFixed(1);
  return [
    ['step wall time (driver view)', avg((s) => s.duration_ms)],
    ...keys.map((k) => [k.replace('Ms', ''), avg((s) => s.worker[k])]),
  ];
}

try {
  if (only.has('P1')) await measure('P1', p1(root));
  const phases = only.has('P1') ? await p1Phases() : [];
  if (only.has('P2')) await measure('P2', await p2(root, Number(opt.orders)));
  if (only.has('P3')) await measure('P3', await p3(root, Number(opt.rows)));
  if (only.has('P5')) await measure('P5', p5());
  if (only.has('P6') || only.has('P7')) {
    const incremental = await p6p7(root, Number(opt['p6-orders']));
    if (only.has('P6')) await measure('P6', incremental.p6);
    if (only.has('P7')) await measure('P7', incremental.p7);
  }
  if (only.has('P10')) await measure('P10', p10(root));
  if (only.has('P11')) await measure('P11', p11(root, Number(opt['p6-orders'])));
  let p12Line: string | undefined;
  if (only.has('P12')) {
    const scenario = await p12(root);
    await measure('P12', scenario);
    const times: number[] = [];
    for (let i = 0; i < pairs; i++) times.push(await scenario.perProcess());
    p12Line = `P12 reference: the same SQL with one bare node + DuckDB process per step and one for the 20 assertions, run one after the other (the price of a process per step, nothing overlapped): ${median(times)!.toFixed(2)} s (median of ${pairs}).`;
    console.error(p12Line);
  }
  if (only.has('P13')) await measure('P13', await p13(root, Number(opt['p13-rows'])));
  if (only.has('L1') || only.has('L2')) {
    const lake = await lakeBench();
    try {
      if (only.has('L1')) await measure('L1', await l1(root, lake, Number(opt['p6-orders'])));
      if (only.has('L2')) await measure('L2', await l2(root, lake));
    } finally {
      await lake.stop();
    }
  }
  const watchResult = only.has('P8') ? await p8(root) : undefined;
  const publishResult = only.has('P9') ? await p9(root) : undefined;
  const p9Line =
    publishResult &&
    ('skipped' in publishResult
      ? `P9: skipped (${publishResult.skipped})`
      : `P9: publishing ${publishResult.rows.toLocaleString('en-US')} rows × 10 columns to PostgreSQL: ${publishResult.a.toFixed(2)} s (median) vs \`psql \\copy\` of the same rows from CSV ${publishResult.b.toFixed(2)} s: ${publishResult.throughputRatio.toFixed(2)}× psql's throughput; goal ≥ 0.8×: ${publishResult.throughputRatio >= 0.8 ? 'met' : 'MISSED'}`);
  if (p9Line) console.error(p9Line);
  if (watchResult)
    console.error(
      `P8: ${watchResult.files} files in ${watchResult.batches} micro-batches; latency minus run time: median ${watchResult.medianOverhead.toFixed(2)} s, max ${watchResult.maxOverhead.toFixed(2)} s`,
    );
  const unitLine = only.has('U1') ? (await u1(root, pairs)).line : undefined;
  if (unitLine) console.error(unitLine);
  const big = only.has('P4') ? await p4() : undefined;
  const verdict = (id: string, r: PairResult) =>
    GOALS[id]
      ? [`≤ ${GOALS[id]}×`, r.ratio <= GOALS[id]! ? 'met' : 'MISSED']
      : SECONDS[id]
        ? [`A ≤ ${SECONDS[id]} s`, r.a.median <= SECONDS[id]! ? 'met' : 'MISSED']
        : ['report', '-'];
  const rows = [...results].map(([id, r]) => [
    id,
    LABELS[id][0],
    LABELS[id][1],
    fmt(r.a),
    fmt(r.b),
    `${r.ratio.toFixed(3)}×`,
    ...verdict(id, r),
  ]);
  const head = [
    'id',
    'A (ducksteps)',
    'B (floor)',
    'A s: median (min–max)',
    'B s: median (min–max)',
    'median A/B',
    'goal',
    '',
  ];
  console.log(renderTable({ color: false }, head, rows));
  const p8Line =
    watchResult &&
    `P8: watch, 20 files dropped at random intervals (0.3–2.8 s), --max-wait ${watchResult.maxWaitMs / 1000} s: latency minus the micro-batch's own run time, median ${watchResult.medianOverhead.toFixed(2)} s (max ${watchResult.maxOverhead.toFixed(2)} s) over ${watchResult.batches} micro-batches; goal ≤ max-wait + 0.5 s = ${(watchResult.maxWaitMs / 1000 + 0.5).toFixed(1)} s: ${watchResult.medianOverhead <= watchResult.maxWaitMs / 1000 + 0.5 ? 'met' : 'MISSED'}`;
  if (p8Line) console.log(p8Line);
  if (big)
    console.log(
      `P4: ${big.status} in ${big.seconds.toFixed(1)} s; driver ${big.driverMb} MB; spill ${big.spillMb} MB\n${renderTable({ color: false }, ['step', 'status', 's', 'peak RSS MB'], big.steps)}`,
    );
  if (phases.length) console.log(renderTable({ color: false }, ['P1 phase (mean per step)', 'ms'], phases));
  if (p9Line) console.log(p9Line);
  if (p12Line) console.log(p12Line);
  if (unitLine) console.log(unitLine);
  if (!opt['no-write'])
    writeReport(head, rows, big, phases, [p8Line, p9Line, p12Line, unitLine].filter(Boolean).join('\n\n'));
  for (const f of failures) console.error(f);
  process.exitCode = failures.length ? 1 : 0;
} finally {
  rmSync(root, { recursive: true, force: true });
}

/** A section of the current docs/performance.md, kept when this bench run did not measure it again. */
function previousSection(heading: string): string[] {
  const path = join(REPO, 'docs', 'performance.md');
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const start = text.indexOf(`\n${heading}`);
  if (start < 0) return [];
  const end = text.indexOf('\n## ', start + 1);
  const kept = text
    .slice(start + 1, end < 0 ? undefined : end)
    .trimEnd()
    .split('\n')
    .filter((l) => !/not (measured|run) again/.test(l))
    .join('\n');
  return [kept, '(measured at an earlier bench run; not run again in this one)', ''];
}

function writeReport(
  head: string[],
  rows: string[][],
  big: Awaited<ReturnType<typeof p4>> | undefined,
  phases: (string | number)[][],
  p8Line?: string,
) {
  const md = (h: string[], r: (string | number)[][]) =>
    [`| ${h.join(' | ')} |`, `|${h.map(() => '---').join('|')}|`, ...r.map((x) => `| ${x.join(' | ')} |`)].join('\n');
  const duckdbVersion = JSON.parse(
    readFileSync(join(REPO, 'node_modules/@duckdb/node-api/package.json'), 'utf8'),
  ).version;
  const text = [
    '# Performance',
    '',
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB memory, Node ${process.version}, @duckdb/node-api ${duckdbVersion}. ${pairs} measured pairs (A B A B …) after ${warmup} warm-up pair(s); times in seconds.`,
    '',
    md(head, rows),
    '',
    ...(p8Line ? [p8Line, ''] : []),
    ...(big
      ? [
          '## P4: large run under a memory limit',
          '',
          `${Number(opt['p4-orders']).toLocaleString('en-US')} orders with \`--memory-limit 1GB\`: ${big.status} in ${big.seconds.toFixed(1)} s. Driver peak RSS ${big.driverMb} MB; largest temp spill seen ${big.spillMb} MB.`,
          '',
          md(['step', 'status', 'seconds', 'peak RSS MB'], big.steps),
          '',
        ]
      : previousSection('## P4:')),
    ...(phases.length
      ? [
          "## Where a trivial step's time goes (P1)",
          '',
          "Means over the 20 steps of one run, from the workers' own clocks. `boot` is Node start-up plus module imports; it overlaps the previous step because the driver starts the next worker early, which is why the wall time per step is below boot + the rest.",
          '',
          md(['phase', 'ms'], phases),
          '',
        ]
      : []),
  ].join('\n');
  // the hand-written reading of the figures (from "## Reading the figures" on) is kept as it is
  const path = join(REPO, 'docs', 'performance.md');
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const notes = previous.indexOf('\n## Reading the figures');
  writeFileSync(path, notes >= 0 ? `${text.trimEnd()}\n${previous.slice(notes)}` : text);
}
