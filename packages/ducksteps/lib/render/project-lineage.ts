// Every step's lineage (tables and files it reads and writes), from its rendered SQL and its script's SQL
// strings: what `docs` draws and what --select STEP+ / +STEP follows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { previewBatch } from './batch-context.js';
import { lineageOf, projectViews, reachedThrough, type ParsedReads, type StepLineage } from './lineage.js';
import { renderFile } from './render.js';
import { createEnvironment, templateContext, type TemplateContext } from './template.js';
import type { Home, Project, ProjectLineage, Settings, Step } from '../model.js';
import { MEMORY_HOME } from './names.js';

/** SQL held in a script's string literals ('…', "…", `…`), for the same scan. */
export function sqlInScript(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (let i = 0; i < code.length; i++) {
    const quote = code[i];
    if (quote !== "'" && quote !== '"' && quote !== '`') continue;
    let j = i + 1;
    while (j < code.length && code[j] !== quote) j += code[j] === '\\' ? 2 : 1;
    const text = code.slice(i + 1, j);
    if (/\b(CREATE|INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY|FROM)\b/i.test(text)) found.push(text);
    i = j;
  }
  return found;
}

/** One step's SQL texts: its files rendered (nothing run, nothing written) and its script's SQL strings.
 * Throws TemplateError when a file does not render. */
export function stepTexts(
  project: Project,
  settings: Settings,
  step: Step,
  env: ReturnType<typeof createEnvironment>,
  context: TemplateContext,
  scripts = true, // false: the files' SQL only, not the SQL strings of step scripts
): string[] {
  const batch = step.incremental ? previewBatch(settings.inputs) : undefined;
  const texts = step.files.map(
    (file) =>
      renderFile(env, project.root, file, { ...context, step: { number: step.number, name: step.name }, batch }).sql,
  );
  if (step.script && scripts) texts.push(...sqlInScript(readFileSync(join(project.root, step.script), 'utf8')));
  return texts;
}

/** Each step's SQL texts (stepTexts). */
export function projectTexts(
  project: Project,
  settings: Settings,
  context: TemplateContext = templateContext(settings, 'lineage'),
  scripts = true, // false: the files' SQL only, not the SQL strings of step scripts
): Map<string, string[]> {
  const env = createEnvironment(project.root, context);
  return new Map(project.steps.map((step) => [step.id, stepTexts(project, settings, step, env, context, scripts)]));
}

/** Step id -> its lineage, in step order, names relative to `home`; `parsed` gives DuckDB's reads where its
 * parser can tell. A name the search path could find in several places (after `USE core`, `t` is core.t or
 * the main t) is matched against what the steps write for certain, so those come first. */
export function projectLineage(
  texts: ReadonlyMap<string, readonly string[]>,
  parsed?: ParsedReads,
  home: Home = MEMORY_HOME,
): ProjectLineage {
  const known = new Set([...texts.values()].flatMap((t) => lineageOf(t, parsed, home, 'definite').writes));
  const lineage = new Map([...texts].map(([id, t]) => [id, lineageOf(t, parsed, home, known)]));
  return Object.assign(lineage, { home });
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
