// Every step's lineage (tables and files it reads and writes), from its rendered SQL and its script's SQL
// strings: what `docs` draws and what --select STEP+ / +STEP follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { previewBatch } from './batch-context.js';
import { lineageOf, projectViews, reachedThrough, sqlInScript, type ParsedReads, type StepLineage } from './lineage.js';
import { renderFile } from './render.js';
import { createEnvironment, templateContext, type TemplateContext } from './template.js';
import type { Project, Settings, Step } from '../model.js';

/** One step's SQL texts: its files rendered (nothing run, nothing written) and its script's SQL strings.
 * Throws TemplateError when a file does not render. */
export function stepTexts(
  project: Project,
  settings: Settings,
  step: Step,
  env: ReturnType<typeof createEnvironment>,
  context: TemplateContext,
): string[] {
  const batch = step.incremental ? previewBatch(settings.inputs) : undefined;
  const texts = step.files.map(
    (file) =>
      renderFile(env, project.root, file, { ...context, step: { number: step.number, name: step.name }, batch }).sql,
  );
  if (step.script) texts.push(...sqlInScript(readFileSync(join(project.root, step.script), 'utf8')));
  return texts;
}

/** Each step's SQL texts (stepTexts). */
export function projectTexts(
  project: Project,
  settings: Settings,
  context: TemplateContext = templateContext(settings, 'lineage'),
): Map<string, string[]> {
  const env = createEnvironment(project.root, context);
  return new Map(project.steps.map((step) => [step.id, stepTexts(project, settings, step, env, context)]));
}

/** Step id -> its lineage, in step order; `parsed` gives DuckDB's reads where its parser can tell. */
export function projectLineage(
  texts: ReadonlyMap<string, readonly string[]>,
  parsed?: ParsedReads,
): Map<string, StepLineage> {
  return new Map([...texts].map(([id, t]) => [id, lineageOf(t, parsed)]));
}

/** For each step, the steps that read something it writes (directly, or under a view or table macro they
 * read): what --select STEP+ adds and a partial run warns about. */
export function dependents(lineage: ReadonlyMap<string, StepLineage>): Map<string, Set<string>> {
  const out = new Map([...lineage.keys()].map((id) => [id, new Set<string>()]));
  const views = projectViews(lineage.values());
  const reached = new Map(
    [...lineage].map(([id, l]) => [id, new Set([...reachedThrough(l.reads, l.calls, views), ...l.filesRead])]),
  );
  for (const [writer, w] of lineage) {
    for (const [reader] of lineage) {
      if (reader !== writer && [...w.writes, ...w.filesWritten].some((x) => reached.get(reader)!.has(x)))
        out.get(writer)!.add(reader);
    }
  }
  return out;
}
