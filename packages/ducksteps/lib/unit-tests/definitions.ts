// The project's CREATE TABLE statements a unit test's given tables take their types from (render/table-ddl.ts),
// found step by step: a step that does not render (a new step with a typo) loses only its own statements and is
// reported as what it is, first and once, instead of every other test failing on types DuckDB guessed.
import { DuckstepsError } from '../errors.js';
import type { Project, Settings, StepError } from '../model.js';
import { duckdbStep } from '../project/discover.js';
import { stepTexts } from '../render/project-lineage.js';
import { tableDefinitions } from '../render/table-ddl.js';
import { createEnvironment, templateContext } from '../render/template.js';
import type { Unrendered } from '../unit-tests.js';

/** Table name -> its CREATE TABLE, from every step that renders; and the steps that do not. */
export function projectDefinitions(
  project: Project,
  settings: Settings,
): { ddl: Map<string, string>; unrendered: Unrendered[] } {
  // Unit tests run on DuckDB: the DuckDB files and dialect, also on a cluster engine's project.
  const context = templateContext({ ...settings, engine: 'duckdb' }, 'lineage');
  const env = createEnvironment(project.root, context);
  const texts: string[][] = [];
  const unrendered: Unrendered[] = [];
  for (const step of project.steps) {
    try {
      texts.push(stepTexts(project, settings, duckdbStep(project.root, step, settings.engine), env, context));
    } catch (error) {
      const why = error instanceof DuckstepsError ? error.toStepError() : { message: (error as Error).message };
      const same = unrendered.find((u) => sameError(why, u.error));
      if (same) (same.steps as string[]).push(step.id);
      else unrendered.push({ steps: [step.id], error: why });
    }
  }
  return { ddl: tableDefinitions(texts), unrendered };
}

/** A test that cannot render because its step does not: a pointer to that step's error, reported once. */
export function referToUnrendered<T extends { readonly error?: StepError }>(
  test: T,
  unrendered: readonly Unrendered[],
): T {
  const known = unrendered.find((u) => sameError(test.error, u.error));
  return known
    ? {
        ...test,
        error: {
          message: 'its step does not render (the error above)',
          file: known.error.file,
          line: known.error.line,
        },
      }
    : test;
}

/** Whether two errors say the same thing at the same place. */
export const sameError = (a: StepError | undefined, b: StepError) =>
  a !== undefined && a.message === b.message && a.file === b.file && a.line === b.line;
