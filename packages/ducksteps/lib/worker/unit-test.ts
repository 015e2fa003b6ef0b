// Inside the worker: the unit job. Each test runs in a throwaway in-memory DuckDB, in a scratch folder of its
// own that is the working directory meanwhile (the step's relative paths, its landing files and a script's
// projectRoot all point there): time frozen, the given tables created, the step run through the same
// transaction as a real run (worker/transaction.ts), then the expected tables compared. Never throws.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FixtureError } from '../errors.js';
import type { Session } from '../engines/engine.js';
import { openSession } from '../engines/open.js';
import type { JobContext, StepJob, UnitJob, UnitTestCase } from '../protocol.js';
import { sqlString } from '../sql/quote.js';
import type { CapturedTable, UnitTestResult } from '../unit-tests.js';
import { captureTable, compareAll } from './compare.js';
import { createGivenTables } from './fixture-tables.js';
import { givenState, untouchedGiven } from './untouched.js';
import { located } from './step.js';
import { loadScript, type StepContext } from './step-script.js';
import { TransactionLog, runTransaction } from './transaction.js';

const FROZEN: ReadonlyArray<[string, 'TIMESTAMPTZ' | 'TIMESTAMP' | 'DATE' | 'TIMETZ' | 'TIME']> = [
  ['now', 'TIMESTAMPTZ'],
  ['get_current_timestamp', 'TIMESTAMPTZ'],
  ['transaction_timestamp', 'TIMESTAMPTZ'],
  ['current_timestamp', 'TIMESTAMPTZ'],
  ['current_date', 'DATE'],
  ['today', 'DATE'],
  ['current_localtimestamp', 'TIMESTAMP'],
  ['current_localtime', 'TIME'],
  ['get_current_time', 'TIMETZ'],
];

/** Freezes the clock: the session's time zone, and temporary macros that shadow DuckDB's time functions
 * (DuckDB resolves a temporary macro before a built-in function of the same name). */
async function freezeTime(session: Session, test: UnitTestCase['test']): Promise<void> {
  try {
    await session.run(`SET TimeZone = ${sqlString(test.timeZone)}`);
    const instant = `CAST(${sqlString(test.now)} AS TIMESTAMPTZ)`;
    await session.query(`SELECT ${instant}`);
    for (const [name, type] of FROZEN)
      await session.run(
        `CREATE OR REPLACE TEMP MACRO ${name}() AS CAST(${type === 'TIMESTAMPTZ' ? instant : `CAST(${instant} AS TIMESTAMP)`} AS ${type})`,
      );
  } catch (error) {
    throw new FixtureError(
      `now: "${test.now}" / timezone: "${test.timeZone}" is not a time DuckDB can read: ${(error as Error).message.split('\n')[0]}`,
      {
        file: test.file,
        line: test.line,
        hint: "now: YYYY-MM-DD HH:MM:SS (in the test's timezone, default UTC); timezone: a name like Europe/Paris",
      },
    );
  }
}

/** Writes the fixture's files (landing files and others) into the test's folder. */
function writeFiles(dir: string, test: UnitTestCase['test']): void {
  for (const f of test.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
}

/** The step's failure as a result's error: located like a real run's, with a hint for a table not given. */
function failure(error: unknown, c: UnitTestCase, projectRoot: string) {
  if (error instanceof FixtureError) return error.toStepError();
  const e = located(error, c.job!, projectRoot);
  const missing = e.message.match(/^Catalog Error: Table with name (\S+) does not exist/)?.[1];
  return missing
    ? {
        ...e,
        hint: `a unit test starts from an empty database: give ${missing}'s rows under given: in ${c.test.file} (no rows: its header line only)`,
      }
    : e;
}

/** Runs the step on the given rows in `dir`/project (the fixture's own files in `dir`/fixture), then compares (or captures) the tables. */
async function runIn(
  session: Session,
  c: UnitTestCase,
  job: StepJob,
  dir: string,
  projectRoot: string,
): Promise<Pick<UnitTestResult, 'diffs' | 'captured'>> {
  const { test } = c;
  const [project, fixture] = [join(dir, 'project'), join(dir, 'fixture')];
  mkdirSync(project);
  mkdirSync(fixture);
  writeFiles(project, test);
  await freezeTime(session, test);
  await createGivenTables(session, test.given, c.ddl, fixture, test.file);
  const given = await givenState(session, test.given);
  const script = job.script ? await loadScript(job.script) : undefined;
  const context: StepContext = {
    db: session as StepContext['db'],
    vars: job.vars,
    step: job.step,
    projectRoot: project,
    batch: job.ledger?.batch,
    log: (line) => process.stdout.write(`${line}\n`),
  };
  process.chdir(project);
  try {
    await runTransaction(session, job, script, context, new TransactionLog(), () => undefined);
  } finally {
    process.chdir(projectRoot);
  }
  const captured: CapturedTable[] = [];
  for (const table of c.capture ?? []) {
    // one query at a time on the session
    const rows = await captureTable(session, table);
    if (rows) captured.push(rows);
  }
  return {
    diffs: await compareAll(
      session,
      test.expect,
      fixture,
      test.file,
      await untouchedGiven(session, given, c.writes ?? []),
    ),
    captured: c.capture ? captured : undefined,
  };
}

/** One test, start to end. */
async function runOne(c: UnitTestCase, context: JobContext): Promise<UnitTestResult> {
  const { test } = c;
  const base = { name: test.name, step: test.step, file: test.file, line: test.line };
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  if (test.error || !c.job) return { ...base, status: 'error', durationMs: 0, diffs: [], error: test.error };
  const dir = mkdtempSync(join(context.tmpDir, 'unit-'));
  let session: Session | undefined;
  try {
    session = await openSession(c.job.connection);
    const { diffs, captured } = await runIn(session, c, c.job, dir, context.projectRoot);
    return { ...base, status: diffs.length > 0 ? 'fail' : 'pass', durationMs: ms(), diffs, captured };
  } catch (error) {
    return { ...base, status: 'error', durationMs: ms(), diffs: [], error: failure(error, c, context.projectRoot) };
  } finally {
    session?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The worker's unit job: every test in turn; never throws. */
export async function runUnitTests(job: UnitJob, context: JobContext): Promise<UnitTestResult[]> {
  const results: UnitTestResult[] = [];
  for (const c of job.tests) results.push(await runOne(c, context));
  return results;
}
