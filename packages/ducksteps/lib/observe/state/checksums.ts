// What a step is, as state:modified compares it (dbt's manifest checksums): the SHA-256 of each of its files as
// rendered (the macros it calls are expanded in them, the vars it uses in SQL substituted), of its script, and
// the values of the vars its files and script name. Rendered with a fixed run id and time, so a step is the same
// step on every run; nothing runs, nothing is written. The run stores them per target (store.ts).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project, Settings } from '../../model.js';
import { previewBatch } from '../../render/batch-context.js';
import { readSource, renderFile } from '../../render/render.js';
import { createEnvironment, templateContext } from '../../render/template.js';

/** One step's checksums. */
export interface StepState {
  readonly files: Readonly<Record<string, string>>; // file -> SHA-256 of its rendered SQL
  readonly sources: Readonly<Record<string, string>>; // file -> SHA-256 of its source (what the user edited)
  readonly script?: string; // SHA-256 of steps/NN_name.ts
  readonly vars: Readonly<Record<string, string | null>>; // the vars its files and script name -> value
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const VAR = /\bvars\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*['"]([^'"]+)['"]\s*\])/g;

/** The var names a source text uses: vars.x, vars['x'] (in a template or a script's ctx.vars). */
export const varsNamed = (source: string): string[] => [...source.matchAll(VAR)].map((m) => m[1] ?? m[2]);

/** The checksums, or undefined when a step does not render (that step fails on its own, at its file:line). */
export function checksumsIfRender(project: Project, settings: Settings): Record<string, StepState> | undefined {
  try {
    return stepChecksums(project, settings);
  } catch {
    return undefined;
  }
}

/** Step id -> its checksums, for the project as it is now with these settings (vars, engine). */
export function stepChecksums(project: Project, settings: Settings): Record<string, StepState> {
  const context = templateContext(settings, 'state');
  const env = createEnvironment(project.root, context);
  return Object.fromEntries(
    project.steps.map((step) => {
      const batch = step.incremental ? previewBatch(settings.inputs) : undefined;
      const at = { ...context, step: { number: step.number, name: step.name }, batch };
      const files = Object.fromEntries(step.files.map((f) => [f, sha(renderFile(env, project.root, f, at).sql)]));
      const script = step.script && readFileSync(join(project.root, step.script), 'utf8');
      const texts = step.files.map((f) => readSource(project.root, f));
      const sources = Object.fromEntries(step.files.map((f, i) => [f, sha(texts[i])]));
      const names = [...new Set([...texts, script ?? ''].flatMap(varsNamed))].sort();
      const vars = Object.fromEntries(names.map((n) => [n, settings.vars[n] ?? null]));
      return [step.id, { files, sources, ...(script === undefined ? {} : { script: sha(script) }), vars }];
    }),
  );
}
