// Concurrent commits on one lake, through the worker's own step transaction: N writers at once, each round of
// each a step that replaces its table, appends a row to a shared log and records a batch in its pipeline's
// ledger (and checks its run lock's fence), retried on conflicts as a worker retries them. Then every round
// must have committed whole or not at all, and every committed row must read back: by full scans, and by
// lookups whose filters DuckLake may prune with its column statistics (concurrent inserts can lose them:
// duckdb/ducklake#1372). Used by tests/lake-commits.test.ts (small) and `npm run crashtest -- --commits N` (full).
import { hostname } from 'node:os';
import type { Batch, Connection, RenderedFile } from '../lib/model.js';
import type { StepJob } from '../lib/protocol.js';
import { openSession } from '../lib/engines/open.js';
import type { Session } from '../lib/engines/engine.js';
import { warehouseOf } from '../lib/warehouse.js';
import { retryingConflicts } from '../lib/worker/retry.js';
import { runTransaction } from '../lib/worker/transaction.js';
import { takeOver } from '../lib/worker/fence.js';

export interface StressOptions {
  readonly db: string; // ducklake:postgres:…
  readonly dataPath: string;
  readonly extensionDir?: string;
  readonly writers: number;
  readonly rounds: number;
  readonly log?: (line: string) => void;
  /** Statements each writer runs after opening (to compare DuckLake's retry settings with the engine's). */
  readonly settings?: readonly string[];
}

export interface StressResult {
  readonly commits: number; // rounds committed
  readonly retries: number; // step reruns after a conflict
  readonly conflicts: readonly string[]; // what each rerun followed
  readonly failed: readonly string[]; // rounds that failed (cleanly: checked below), with why
  readonly problems: readonly string[]; // rows missing, rows extra, a failed round that left something
  readonly seconds: number;
}

const connectionOf = (o: StressOptions, w: number): Connection => ({
  warehouse: warehouseOf('/', { database: o.db, dataPath: o.dataPath, extensionDir: o.extensionDir }),
  pipeline: `stress-w${w}`,
});

const file = (sql: string): RenderedFile => ({
  file: 'sql/01_stress/a.sql',
  compiled: 'logs/compiled/01_stress/a.sql',
  sql,
  lineMap: sql.split('\n').map((_, i) => i + 1),
  transaction: true,
});

/** Round `r` of writer `w`: the step job a worker would get. */
function job(o: StressOptions, w: number, r: number): StepJob {
  const connection = connectionOf(o, w);
  const batch: Batch = {
    id: r,
    fullRefresh: false,
    isNew: true,
    done: [],
    location: {},
    files: [{ input: 'ev', path: `w${w}/r${r}.csv`, size: 1, mtimeMs: r, sha256: `w${w}-r${r}` }],
  };
  const sql = `CREATE OR REPLACE TABLE stress_t${w} AS SELECT ${r} AS round, range AS x FROM range(100);\nINSERT INTO stress_log VALUES (${w}, ${r});`;
  return {
    kind: 'step',
    connection,
    step: { number: 1, name: 'stress', id: '01_stress' },
    vars: {},
    files: [file(sql)],
    ledger: { step: '01_stress', runId: `stress-w${w}`, batch },
    fence: { pipeline: connection.pipeline, token: `w${w}`, runId: `stress-w${w}`, host: hostname(), pid: process.pid },
    failuresDir: '/nonexistent',
  };
}

/** The tables and each writer's fence, before the writers start (creating them is not what is measured). */
async function setUp(o: StressOptions): Promise<void> {
  const session = await openSession(connectionOf(o, 0));
  try {
    await session.run('CREATE TABLE IF NOT EXISTS stress_log (w INTEGER, round INTEGER)');
    for (let w = 0; w < o.writers; w++) {
      await session.run(`CREATE TABLE IF NOT EXISTS stress_t${w} (round INTEGER, x BIGINT)`);
      await takeOver(session, job(o, w, 0).fence!);
    }
  } finally {
    session.close();
  }
}

/** One writer's rounds, each a whole step transaction retried on conflicts; which committed, which failed. */
async function writer(o: StressOptions, w: number) {
  const session: Session = await openSession(connectionOf(o, w));
  for (const sql of o.settings ?? []) await session.run(sql);
  const committed: number[] = [];
  const failed: Array<{ round: number; why: string }> = [];
  const conflicts: string[] = [];
  let retries = 0;
  try {
    for (let r = 1; r <= o.rounds; r++) {
      const step = job(o, w, r);
      const context = { db: session, vars: {}, step: step.step, projectRoot: '/', log: () => undefined };
      const done = await retryingConflicts(
        session,
        (log) => runTransaction(session, step, undefined, context as never, log, () => undefined),
        (error) => conflicts.push(((error as Error).message ?? String(error)).replace(/\s+/g, ' ').slice(0, 300)),
      );
      retries += done.retries;
      if (done.error === undefined) committed.push(r);
      else failed.push({ round: r, why: ((done.error as Error).message ?? String(done.error)).split('\n')[0] });
    }
  } finally {
    session.close();
  }
  return { committed, failed, retries, conflicts };
}

const count = async (session: Session, sql: string) => Number((await session.query(sql)).rows[0].n);

/** Every committed round reads back exactly once, by scans and by pruned lookups; a failed one left nothing. */
async function verify(o: StressOptions, committed: ReadonlyArray<readonly number[]>): Promise<string[]> {
  const problems: string[] = [];
  const session = await openSession(connectionOf(o, 0), { readOnly: true });
  try {
    const logged = (await session.query('SELECT w, round FROM stress_log')).rows.map((r) => `${r.w}/${r.round}`);
    const ledger = (
      await session.query("SELECT pipeline, batch_id FROM ducksteps.step_batches WHERE pipeline LIKE 'stress-w%'")
    ).rows.map((r) => `${String(r.pipeline).slice('stress-w'.length)}/${r.batch_id}`);
    const expected = committed.flatMap((rounds, w) => rounds.map((r) => `${w}/${r}`));
    for (const [what, rows] of [
      ['stress_log', logged],
      ['the ledger', ledger],
    ] as const) {
      const seen = new Set(rows);
      if (rows.length !== seen.size) problems.push(`${what}: ${rows.length - seen.size} rows twice`);
      const missing = expected.filter((k) => !seen.has(k));
      const extra = [...seen].filter((k) => !expected.includes(k));
      if (missing.length) problems.push(`${what}: committed rounds missing: ${missing.slice(0, 10).join(', ')}`);
      if (extra.length)
        problems.push(`${what}: rounds that did not commit are there: ${extra.slice(0, 10).join(', ')}`);
    }
    for (const [w, rounds] of committed.entries()) {
      const n = await count(session, `SELECT count(*) AS n FROM stress_log WHERE w = ${w}`);
      if (n !== rounds.length) problems.push(`stress_log WHERE w = ${w}: ${n} rows, ${rounds.length} committed`);
      const l = await count(
        session,
        `SELECT count(*) AS n FROM ducksteps.loaded_files WHERE pipeline = 'stress-w${w}'`,
      );
      if (l !== rounds.length) problems.push(`loaded_files of writer ${w}: ${l} rows, ${rounds.length} committed`);
      const [last] = (await session.query(`SELECT max(round) AS r, count(*) AS n FROM stress_t${w}`)).rows;
      const want = rounds.length ? Math.max(...rounds) : null;
      if ((last.r ?? null) !== want || (want !== null && Number(last.n) !== 100))
        problems.push(`stress_t${w}: round ${last.r} with ${last.n} rows, the last commit was round ${want}`);
    }
    for (let r = 1; r <= o.rounds; r++) {
      const want = committed.filter((rounds) => rounds.includes(r)).length;
      const n = await count(session, `SELECT count(*) AS n FROM stress_log WHERE round = ${r}`);
      if (n !== want) problems.push(`stress_log WHERE round = ${r}: ${n} rows, ${want} committed`);
    }
  } finally {
    session.close();
  }
  return problems;
}

/** Runs the writers at once, then checks what they committed. */
export async function commitStress(o: StressOptions): Promise<StressResult> {
  await setUp(o);
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: o.writers }, (_, w) => writer(o, w)));
  const seconds = (performance.now() - started) / 1000;
  const failed = results.flatMap((r, w) => r.failed.map((f) => `writer ${w} round ${f.round}: ${f.why}`));
  const problems = await verify(
    o,
    results.map((r) => r.committed),
  );
  const result = {
    commits: results.reduce((sum, r) => sum + r.committed.length, 0),
    retries: results.reduce((sum, r) => sum + r.retries, 0),
    conflicts: results.flatMap((r) => r.conflicts),
    failed,
    problems,
    seconds,
  };
  o.log?.(
    `${o.writers} writers × ${o.rounds} rounds in ${seconds.toFixed(1)} s: ${result.commits} committed, ${failed.length} failed, ${result.retries} reruns after a conflict; ${problems.length ? `${problems.length} PROBLEMS` : 'every committed row read back, nothing of a failed round'}`,
  );
  return result;
}
