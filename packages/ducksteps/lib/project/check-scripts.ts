// compile's check of step scripts: TypeScript syntax errors at file:line, without running anything.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project, StepError } from '../model.js';

/** Syntax errors of every steps/NN_name.ts (type errors are left to the editor; the run reports the rest). */
export async function checkScripts(project: Project): Promise<StepError[]> {
  const scripts = project.steps.flatMap((s) => (s.script ? [s.script] : []));
  if (scripts.length === 0) return [];
  const ts = (await import('typescript')).default; // only when there are scripts: it takes a moment to load
  const errors: StepError[] = [];
  for (const file of scripts) {
    const source = readFileSync(join(project.root, file), 'utf8');
    const output = ts.transpileModule(source, {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    for (const d of output.diagnostics ?? []) {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : undefined;
      errors.push({
        message: `TypeScript: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
        file,
        line,
        hint: 'fix the script at that line',
      });
    }
  }
  return errors;
}
