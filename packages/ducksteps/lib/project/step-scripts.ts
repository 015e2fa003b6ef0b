// Step scripts (steps/**/*.ts) compiled to plain JS once, cached by modification time, so a step's worker
// starts as plain `node` instead of loading a TypeScript runtime (≈0.3 s per script step). Inline source
// maps point stack traces at the .ts source, so a script's error still names steps/NN_name.ts:line.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Project } from '../model.js';

const OUT = join('logs', 'compiled', 'steps');

function sources(root: string, dir = 'steps'): string[] {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(root, path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

const outputOf = (root: string, source: string) => join(root, OUT, relative('steps', source).replace(/\.ts$/, '.js'));

/** Compiles the scripts whose output is missing or older than their source; returns script -> compiled path. */
export async function compileStepScripts(project: Project): Promise<Map<string, string>> {
  const all = sources(project.root);
  const compiled = new Map(all.map((s) => [s, outputOf(project.root, s)]));
  if (!project.steps.some((s) => s.script)) return compiled;
  const stale = all.filter(
    (s) =>
      !existsSync(compiled.get(s)!) || statSync(join(project.root, s)).mtimeMs > statSync(compiled.get(s)!).mtimeMs,
  );
  if (stale.length === 0) return compiled;
  const ts = (await import('typescript')).default; // only when something changed: it takes a moment to load
  mkdirSync(join(project.root, OUT), { recursive: true });
  writeFileSync(join(project.root, OUT, 'package.json'), '{ "type": "module" }\n');
  for (const source of stale) {
    const file = join(project.root, source);
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        inlineSourceMap: true,
        sourceRoot: `${pathToFileURL(dirname(file)).href}/`,
      },
    });
    mkdirSync(dirname(compiled.get(source)!), { recursive: true });
    writeFileSync(compiled.get(source)!, outputText);
  }
  return compiled;
}
