// `./run.sh create-test STEP --where EXPR`: read what the step reads for the user's keys (generate-test.ts), run
// the step on those rows in a unit job to get what it writes, append the test to tests/unit/NN_name.yaml, and
// run the written test once to prove it round-trips.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Project, Settings, Step } from '../model.js';
import { runJob } from '../processes/pool.js';
import { appendTest, type WrittenTable } from './fixture-writer.js';
import { discoverUnitTests } from './discover.js';
import { projectTexts } from '../render/project-lineage.js';
import { tableDefinitions } from '../render/table-ddl.js';
import type { FixtureFile, GivenTable, UnitTestResult } from '../unit-tests.js';
import { batchFiles, captureTest, cutFile, givenTable } from './generate-test.js';
import { readTables } from './read-tables.js';
import { lineageOfProject } from '../lineage/project.js';
import { compileStepScripts } from '../project/step-scripts.js';
import { unitCase, type UnitContext } from './case.js';

export interface CreateTestRequest {
  readonly project: Project;
  readonly settings: Settings;
  readonly step: Step;
  readonly wheres: readonly string[];
  readonly limit: number; // rows of a table no --where applies to; lines of a landing file
  readonly name: string;
  readonly vars: Readonly<Record<string, string>>; // --var given to create-test: kept in the test
  readonly command: string;
}

export interface CreatedTest {
  readonly file: string;
  readonly given: ReadonlyArray<{ readonly table: string; readonly rows: number; readonly total: number }>;
  readonly expected: ReadonlyArray<{ readonly table: string; readonly rows: number }>;
  readonly check?: UnitTestResult; // the written test, run once; an error when the step failed on the rows
  readonly batch?: number; // the batch it processes (an incremental step)
}

/** Files the step reads by name (not the batch's landing files), cut short. */
function namedFiles(project: Project, filesRead: readonly string[], limit: number) {
  return filesRead
    .filter((p) => !/[*?[\]{}]/.test(p) && existsSync(join(project.root, p)))
    .map((path) => ({ path, ...cutFile(join(project.root, path), limit) }));
}

/** Makes, writes and checks the test. Throws UsageError for what the user can fix (no such table, bad --where). */
export async function createTest(r: CreateTestRequest): Promise<CreatedTest> {
  const { project, settings, step } = r;
  const lineage = (await lineageOfProject(project, settings)).get(step.id)!;
  const ddl = tableDefinitions(projectTexts(project, settings).values());
  const { tables, batch: id } = await readTables(r, lineage.reads, ddl);
  const batch = id === undefined ? undefined : { id, files: await batchFiles(project, settings, id, r.limit) };
  const files: Array<FixtureFile & { note?: string }> = [
    ...namedFiles(project, lineage.filesRead, r.limit),
    ...(batch?.files ?? []),
  ];
  const given: GivenTable[] = tables.map((t) => givenTable(t.table, t.columns, t.cells, t.types));
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
  const test = captureTest(step, r.name, now, r.vars, given, files, batch?.id);
  const context: UnitContext = {
    project,
    settings,
    scripts: await compileStepScripts(project),
    ddl,
    runId: 'create-test',
  };
  const answer = await runJob(project.root, { kind: 'unit', tests: [unitCase(context, test, lineage.writes)] });
  const result = 'result' in answer ? answer.result[0] : undefined;
  if (!result || result.error)
    return {
      file: test.file,
      given: [],
      expected: [],
      check: result ?? {
        ...test,
        status: 'error',
        durationMs: 0,
        diffs: [],
        error: 'died' in answer ? answer.died : undefined,
      },
    };
  const expect: WrittenTable[] = (result.captured ?? []).map((c) => ({
    table: c.table,
    columns: c.columns,
    rows: c.rows,
  }));
  if (expect.length === 0)
    throw new UsageError(`${step.id} wrote no table the lineage knows of`, {
      hint: 'write the test by hand (docs/unit-tests.md)',
    });
  appendTest(project.root, test.file, step.id, {
    name: r.name,
    description: `made by ${r.command} on ${now} UTC: review the rows, keep the few that matter, add a key to each expected table`,
    now,
    vars: r.vars,
    batch: batch && {
      id: batch.id,
      files: batch.files.map((f) => ({ input: f.input!, name: f.path, content: f.content, note: f.note })),
    },
    files: files.filter((f) => !f.input),
    given: tables.map((t) => ({ table: t.table, columns: t.columns, rows: t.cells, types: t.types, note: t.note })),
    expect,
  });
  const written = discoverUnitTests(project).filter((t) => t.step === step.id && t.name === r.name);
  const check = await runJob(project.root, { kind: 'unit', tests: written.map((t) => unitCase(context, t)) });
  return {
    file: test.file,
    given: tables.map((t) => ({ table: t.table, rows: t.cells.length, total: t.total })),
    expected: expect.map((e) => ({ table: e.table, rows: e.rows.length })),
    check: 'result' in check ? check.result[0] : undefined,
    batch: batch?.id,
  };
}

/** Refuses a test name the fixture format cannot hold. */
export function checkTestName(name: string): void {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_ .-]*$/.test(name))
    throw new UsageError(`test name "${name}" is not valid`, { hint: 'use letters, digits, _, -, . and spaces' });
}
