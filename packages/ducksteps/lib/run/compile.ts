// `compile` / --dry-run: render every step and assertion file and parse every statement; run nothing.
import { checkScripts } from '../project/check-scripts.js';
import { traitsOf } from '../engines/traits.js';
import { TemplateError } from '../errors.js';
import type { Project, RenderedFile, Settings, StepError } from '../model.js';
import { runJob } from '../processes/pool.js';
import { refuseTransactionControl, refuseWrites } from '../render/guards.js';
import { previewBatch } from '../render/batch-context.js';
import { renderFile } from '../render/render.js';
import { splitStatements } from '../sql/split.js';
import { createEnvironment, templateContext } from '../render/template.js';

export interface CompileResult {
  readonly files: number;
  readonly statements: number;
  readonly errors: readonly StepError[];
  readonly parsed: boolean; // false where no parser here knows the dialect: statements are checked as they run
}

/** Renders all files into logs/compiled/ and checks them with DuckDB's parser, and step scripts with
 * TypeScript's; reports every error. */
export async function compileProject(project: Project, settings: Settings, runId: string): Promise<CompileResult> {
  const base = templateContext(settings, runId, new Date().toISOString());
  const env = createEnvironment(project.root, base);
  const rendered: RenderedFile[] = [];
  const errors: StepError[] = [];
  const jobs = [
    ...project.steps.flatMap((s) =>
      s.files.map((file) => ({
        file,
        dir: `logs/compiled/${s.id}`,
        step: { number: s.number, name: s.name },
        batch: s.incremental ? previewBatch(settings.inputs) : undefined,
      })),
    ),
    ...project.testFiles.map((file) => ({
      file,
      dir: `logs/compiled/${file.slice(0, file.lastIndexOf('/'))}`,
      step: undefined,
      batch: undefined,
    })),
  ];
  for (const { file, dir, step, batch } of jobs) {
    try {
      const one = renderFile(env, project.root, file, { ...base, step, batch }, dir);
      (step ? refuseTransactionControl : refuseWrites)(one);
      rendered.push(one);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      errors.push(error.toStepError());
    }
  }
  errors.push(...(await checkScripts(project)));
  if (!traitsOf(settings.engine).parsesLocally)
    return {
      files: jobs.length,
      statements: rendered.reduce((n, f) => n + splitStatements(f.sql).length, 0),
      errors,
      parsed: false,
    };
  const answer = await runJob(project.root, { kind: 'parse', files: rendered });
  if (!('result' in answer))
    return { files: jobs.length, statements: 0, errors: [...errors, answer.died], parsed: true };
  return {
    files: jobs.length,
    statements: answer.result.statements,
    errors: [...errors, ...answer.result.errors],
    parsed: true,
  };
}
