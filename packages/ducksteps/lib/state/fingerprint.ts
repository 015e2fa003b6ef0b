// A step's fingerprint: everything it is, apart from the data it reads — its rendered SQL (vars and template
// macros are in it), its files' transaction mode, whether it runs locally, the engine, the framework build,
// and for a step with a script: every file under steps/ (the script and the helpers it imports), the
// lockfile (the packages it imports) and all vars (a script reads them directly). A script's own word on what
// it reads comes from its `inputs()` export (changes.ts: scriptInputs).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { scriptInputs, type ScriptInputsContext } from '../changes.js';
import type { Dialect, RenderedFile, Step } from '../model.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** This build of the framework (tsc rewrites every output file): a changed framework runs every step again. */
const BUILD = (() => {
  try {
    const s = statSync(fileURLToPath(import.meta.url));
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return String(Math.random()); // not found: never up to date
  }
})();

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** The digest of every file under steps/ and of package-lock.json: what a step script may import. */
export function scriptsDigest(root: string): string {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(join(root, 'steps')), join(root, 'package-lock.json')]) {
    hash.update(`${file}\n`);
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

/** The step's fingerprint for this run's rendering of it. */
export function stepFingerprint(
  step: Step,
  files: readonly RenderedFile[],
  engine: Dialect,
  script?: { readonly digest: string; readonly vars: Readonly<Record<string, string>> },
): string {
  const sql = files.map((f) => [f.file, f.transaction, f.sql]);
  return sha(JSON.stringify([BUILD, engine, step.local ?? false, sql, script ? [script.digest, script.vars] : null]));
}

/** What a compiled step script says it reads (undefined: it says nothing). Imported fresh each time its
 * file changes (watch runs many builds in one process). */
export async function scriptWord(compiled: string, ctx: ScriptInputsContext): Promise<string | undefined> {
  const version = existsSync(compiled) ? statSync(compiled).mtimeMs : 0;
  const module = (await import(`${pathToFileURL(compiled).href}?v=${version}`)) as Parameters<typeof scriptInputs>[0];
  return scriptInputs(module, ctx);
}

/** Whether a compiled step script exports inputs(). */
export async function hasInputs(compiled: string): Promise<boolean> {
  const version = existsSync(compiled) ? statSync(compiled).mtimeMs : 0;
  const module = (await import(`${pathToFileURL(compiled).href}?v=${version}`)) as { inputs?: unknown };
  return typeof module.inputs === 'function';
}
