// npm run crashtest -- --trials N [--seed S] [--incremental N] [--lake N] [--commits ROUNDS [--writers W]]
//   [--soak [--soak-files N] [--soak-seconds S] [--hogs N]]
// (--commits: W writers commit ROUNDS steps each at once on one lake; every commit whole or not at all, every
// committed row read back: packages/ducksteps/tests/commit-stress.ts)
// (the incremental trials cycle: new files in batches, archive moves, a --full-refresh --batch-size; the soak
// drops files into a watch under CPU load and stops it with Ctrl-C and SIGKILL: watch-soak.ts)
// Kills the step worker or the driver (SIGKILL) at a random moment of a multi-statement build, then checks:
// the database opens; it equals the state after some whole number of steps (nothing partial); the run log
// records the broken run; and --resume (or a plain re-run) ends with tables identical to an unbroken build.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readLog } from '../packages/ducksteps/lib/logs/history.js';
import { checksum, dataTables, ducksteps, REPO, syntheticProject } from './scenarios.js';
import { incrementalTrial } from './crash-incremental.js';
import { commitsTrial, lakeTrial } from './crash-lake.js';
import { ensureExtensions } from '../packages/ducksteps/tests/extensions.js';
import { startPostgres } from '../packages/ducksteps/tests/postgres-server.js';
import { storeTrial } from './crash-store.js';
import { runAndKill } from './kill.js';
import { defaultHogs, soakUnderLoad } from './watch-soak.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    seed: { type: 'string', default: String(Date.now()) },
    soak: { type: 'boolean', default: false },
    'soak-files': { type: 'string', default: '200' },
    'soak-seconds': { type: 'string', default: '150' },
    hogs: { type: 'string', default: String(defaultHogs()) },
    incremental: { type: 'string', default: '0' },
    lake: { type: 'string', default: '0' },
    commits: { type: 'string', default: '0' },
    writers: { type: 'string', default: '4' },
  },
});
let seed = Number(values.seed);
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

/** Four re-runnable steps; the second has many statements, so kills land inside a step's transaction. */
const STEPS: Record<string, string> = {
  '01_base': 'CREATE OR REPLACE TABLE base AS SELECT range AS id, hash(range) % 1000 AS v FROM range(2000000);',
  '02_many': Array.from(
    { length: 12 },
    (_, i) =>
      `CREATE OR REPLACE TABLE m${i} AS SELECT id, v + ${i} AS v FROM base WHERE id % 12 = ${i};\nINSERT INTO m${i} SELECT id, v FROM base WHERE id % 97 = ${i};`,
  ).join('\n'),
  '03_join':
    'CREATE OR REPLACE TABLE joined AS SELECT m0.id, m0.v + coalesce(m1.v, 0) AS v FROM m0 LEFT JOIN m1 ON m0.id + 1 = m1.id;',
  '04_agg':
    'CREATE OR REPLACE TABLE agg AS SELECT v % 10 AS k, count(*) AS n, sum(v) AS s FROM joined GROUP BY 1 ORDER BY 1;',
};
const ids = Object.keys(STEPS);
const DB = 'data/warehouse.duckdb';
/** What a state is compared by: the data tables (ducksteps' own commit with them, in the step's transaction). */
const key = (sums: Record<string, string>) => JSON.stringify(dataTables(sums));

/** Checksums after 0, 1, …, all steps: the only states a broken build may leave behind. */
async function prefixStates(root: string): Promise<{ states: string[]; seconds: number }> {
  const dir = syntheticProject(join(root, 'reference'), STEPS);
  const states = [key({})];
  const started = performance.now();
  for (const id of ids) {
    await ducksteps(dir, ['--only', id]);
    states.push(key(await checksum(dir, DB)));
  }
  return { states, seconds: (performance.now() - started) / 1000 };
}

async function trial(root: string, n: number, states: string[], seconds: number): Promise<string | undefined> {
  const dir = syntheticProject(join(root, `trial${n}`), STEPS);
  const target = random() < 0.5 ? 'worker' : 'driver';
  const delay = 100 + random() * seconds * 1000;
  await runAndKill(dir, [], { target, delay });
  const state = existsSync(join(dir, DB)) ? key(await checksum(dir, DB)) : key({});
  if (!states.includes(state))
    return `trial ${n} (${target} at ${delay.toFixed(0)} ms): the database holds a partial step`;
  const resumed = await ducksteps(dir, ['--resume', '--lock-timeout', '10']).catch((e) => e);
  if (resumed.exitCode === 2) await ducksteps(dir, ['--lock-timeout', '10']).catch((e) => e); // nothing to resume: it had finished
  const log = readLog(join(dir, 'logs', 'run_log.csv'));
  const first = log[0]?.run_id;
  const ofFirst = log.filter((r) => r.run_id === first);
  const finished = ids.every((id) => ofFirst.some((r) => r.step === id && r.status === 'ok'));
  const recorded = finished || ofFirst.some((r) => ['failed', 'interrupted'].includes(r.status));
  if (first && !recorded)
    return `trial ${n} (${target} at ${delay.toFixed(0)} ms): the run log does not record the broken run:\n${JSON.stringify(log)}`;
  if (key(await checksum(dir, DB)) !== states[states.length - 1])
    return `trial ${n} (${target} at ${delay.toFixed(0)} ms): the finished build differs from an unbroken one`;
  console.log(`trial ${n}: killed the ${target} at ${delay.toFixed(0)} ms; consistent`);
  return undefined;
}

const root = mkdtempSync(join(tmpdir(), 'ducksteps-crash-'));
try {
  const trials = Number(values.trials);
  console.log(`crash test in ${REPO}: ${trials} trials, seed ${values.seed}`);
  const { states, seconds } = trials > 0 ? await prefixStates(root) : { states: [], seconds: 0 };
  const problems: string[] = [];
  for (let n = 1; n <= trials; n++) {
    const problem = await trial(root, n, states, seconds);
    if (problem) problems.push(problem);
    rmSync(join(root, `trial${n}`), { recursive: true, force: true });
  }
  // incremental trials cycle through three kinds: new files in batches, the same with the archive (kills
  // between a commit and its files' move), and a --full-refresh --batch-size over archived files
  const incremental = Number(values.incremental);
  for (let n = 1; n <= incremental; n++) {
    const kind = n % 3;
    const problem =
      kind === 1
        ? await incrementalTrial(root, n, random)
        : await storeTrial(root, n, random, kind === 2 ? 'archive' : 'refresh');
    if (problem) problems.push(problem);
  }
  const lake = Number(values.lake);
  const commits = Number(values.commits);
  if (lake > 0 || commits > 0) {
    process.env.DUCKSTEPS_EXTENSION_DIR ??= ensureExtensions(['ducklake', 'postgres_scanner']);
    const server = await startPostgres();
    try {
      for (let n = 1; n <= lake; n++) {
        const problem = await lakeTrial(root, n, random, server);
        if (problem) problems.push(problem);
      }
      if (commits > 0) problems.push(...(await commitsTrial(root, server, Number(values.writers), commits)));
    } finally {
      await server.stop();
    }
  }
  const soakProblems: string[] = [];
  if (values.soak) {
    const options = {
      files: Number(values['soak-files']),
      spreadMs: Number(values['soak-seconds']) * 1000,
      hogs: Number(values.hogs),
      random,
    };
    const result = await soakUnderLoad(root, options);
    console.log(
      `soak: ${result.files} files dropped over ~${values['soak-seconds']} s beside ${options.hogs} busy processes; watch stopped ${result.stops.join(', ')}, restarted each time: ${result.loaded} ledger rows, tables ${result.tablesEqual ? 'equal to' : 'DIFFERENT from'} a --full-refresh`,
    );
    soakProblems.push(...result.problems);
  }
  for (const p of problems) console.log(`INCONSISTENT: ${p}`);
  for (const p of soakProblems) console.log(`INCONSISTENT: soak: ${p}`);
  const soakVerdict = !values.soak ? '' : soakProblems.length ? ' + soak FAILED' : ' + soak';
  console.log(
    `${trials + incremental + lake - problems.length}/${trials + incremental + lake}${commits ? ' + commits' : ''}${soakVerdict} consistent`,
  );
  process.exitCode = problems.length || soakProblems.length ? 1 : 0;
} catch (error) {
  // not a verdict on ducksteps: the harness itself stopped; the seed reproduces the trials up to here
  console.log(`the crash test itself failed (seed ${values.seed}): ${(error as Error)?.stack ?? error}`);
  process.exitCode = 2;
} finally {
  rmSync(root, { recursive: true, force: true });
}
