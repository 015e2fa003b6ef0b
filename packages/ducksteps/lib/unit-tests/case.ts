// A unit test made ready for the worker, in the driver: the step's files rendered the way a real run renders
// them (render/render.ts, render/batch-context.ts) but with the test's vars, batch and frozen time; its
// landing files placed where the input's glob looks; the project's CREATE TABLE for each given table.
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { createHash } from 'node:crypto';
import { FixtureError, TemplateError } from '../errors.js';
import type { Batch, LandingFile, Project, Settings, Step } from '../model.js';
import { baseOf } from '../project/inputs.js';
import { pipelineOf } from '../project/pipeline.js';
import type { StepJob, UnitTestCase } from '../protocol.js';
import { batchContext } from '../render/batch-context.js';
import { lineageOf, statementsOf } from '../render/lineage.js';
import { sqlInScript } from '../render/project-lineage.js';
import { renderStep } from '../render/render.js';
import { createEnvironment, type TemplateContext } from '../render/template.js';
import type { UnitTest } from '../unit-tests.js';
import { duckdbStep } from '../project/discover.js';
import { duckWarehouseOf, logsOf } from '../warehouse.js';

/** What every test of one run shares. */
export interface UnitContext {
  readonly project: Project;
  readonly settings: Settings;
  readonly scripts: ReadonlyMap<string, string>; // steps/NN_name.ts -> its compiled .js
  readonly ddl: ReadonlyMap<string, string>; // render/table-ddl.ts
  readonly runId: string;
}

/** A file name safe on every system: the test's compiled SQL and failure file are named after it. */
export const safeName = (name: string) => name.replace(/[^A-Za-z0-9_.-]+/g, '_');

/** The batch the test's step processes: its landing files where the input's glob finds them. */
function batchOf(test: UnitTest, step: Step, settings: Settings): { batch?: Batch; test: UnitTest } {
  const landing = test.files.filter((f) => f.input);
  if (!step.incremental) {
    if (test.batch || landing.length > 0)
      throw new FixtureError(`batch: applies to incremental steps only, and ${step.id} is not one`, {
        file: test.file,
        line: test.line,
        hint: 'remove batch:, or mark the step -- ducksteps: incremental',
      });
    return { test };
  }
  const files: LandingFile[] = landing.map((f) => {
    const glob = settings.inputs[f.input!];
    if (!glob)
      throw new FixtureError(`batch.files names input "${f.input}", which package.json does not declare`, {
        file: test.file,
        line: test.line,
        hint: `declared inputs: ${Object.keys(settings.inputs).join(', ') || 'none ("ducksteps"."inputs")'}`,
      });
    const path = posix.join(baseOf(glob), f.path);
    return {
      input: f.input!,
      path,
      size: Buffer.byteLength(f.content),
      mtimeMs: 0,
      sha256: createHash('sha256').update(f.content).digest('hex'),
    };
  });
  const placed = test.files.map((f) => (f.input ? { ...f, path: files[landing.indexOf(f)].path } : f));
  const batch: Batch = {
    id: test.batch?.id ?? 1,
    fullRefresh: test.batch?.fullRefresh ?? false,
    files,
    isNew: true,
    done: [],
    location: Object.fromEntries(files.map((f) => [f.path, f.path])),
  }; // each file where the test placed it
  return { batch, test: { ...test, files: placed } };
}

/** run_started_at for the templates: the frozen time (as ISO when it is UTC). */
function startedAt(test: UnitTest): string {
  const utc = new Date(`${test.now.trim().replace(' ', 'T')}Z`);
  return test.timeZone === 'UTC' && !Number.isNaN(utc.getTime()) ? utc.toISOString() : test.now;
}

function render(u: UnitContext, test: UnitTest, step: Step, batch: Batch | undefined): StepJob {
  const { project, settings } = u;
  const vars = { ...settings.vars, ...test.vars };
  const base: TemplateContext = { vars, run_id: u.runId, run_started_at: startedAt(test), engine: 'duckdb' };
  const context = {
    ...base,
    step: { number: step.number, name: step.name },
    batch: batch && batchContext(batch, settings.inputs, 1, 1),
  };
  const files = renderStep(
    createEnvironment(project.root, base),
    project.root,
    duckdbStep(project.root, step, settings.engine).files,
    context,
    `logs/compiled/unit/${step.id}/${safeName(test.name)}`,
  );
  const { extensionDir } = duckWarehouseOf(project.root, settings);
  return {
    kind: 'step',
    connection: {
      warehouse: { engine: 'duckdb', path: ':memory:', extensionDir },
      pipeline: pipelineOf(project.root).name,
      threads: settings.threads,
      memoryLimit: settings.memoryLimit,
    },
    step: { number: step.number, name: step.name, id: step.id },
    vars,
    files,
    script: step.script ? u.scripts.get(step.script) : undefined,
    scriptSource: step.script ? join(project.root, step.script) : undefined,
    ledger: batch && { step: step.id, runId: u.runId, batch },
    gates: [],
    failuresDir: join(logsOf(project.root, settings), 'unit_failures'),
    runId: u.runId,
    onSchemaChange: step.onSchemaChange ?? settings.onSchemaChange,
    contracts: step.contracts,
  };
}

/** What the step's SQL writes, a CREATE TABLE IF NOT EXISTS left out (it changes no table a test gives). */
function writesOf(job: StepJob): string[] {
  const script = job.scriptSource ? sqlInScript(readFileSync(job.scriptSource, 'utf8')) : [];
  const statements = statementsOf([...job.files.map((f) => f.sql), ...script]).filter(
    (st) => !/^CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\b/i.test(st),
  );
  return [...lineageOf(statements).writes];
}

/** The test ready to run, or carrying why it cannot (its fixture or its step's template is wrong). */
export function unitCase(u: UnitContext, original: UnitTest, capture?: readonly string[]): UnitTestCase {
  const ddl = Object.fromEntries(
    original.given.flatMap((g) =>
      u.ddl.has(g.table.toLowerCase()) && !g.ownColumns
        ? [[g.table.toLowerCase(), u.ddl.get(g.table.toLowerCase())!]]
        : [],
    ),
  );
  if (original.error) return { test: original, ddl };
  const step = u.project.steps.find((s) => s.id === original.step)!;
  try {
    const { batch, test } = batchOf(original, step, u.settings);
    const job = render(u, test, step, batch);
    return { test, job, ddl, capture, writes: writesOf(job) };
  } catch (error) {
    if (error instanceof FixtureError || error instanceof TemplateError)
      return { test: { ...original, error: error.toStepError() }, ddl };
    throw error;
  }
}
