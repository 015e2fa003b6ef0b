// Stage 2: render one step's SQL files to text, map lines back to the source, keep a compiled copy in logs/.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { TemplateError } from '../errors.js';
import { refuseTransactionControl } from './guards.js';
import { writeLog } from '../logs/write.js';
import { hasFlag, readDirectives } from '../sql/directives.js';
import { mapRenderedLines } from '../sql/line-map.js';
import { maskSecrets } from './secrets.js';
import type { TemplateContext } from './template.js';
import { templateError } from './template-errors.js';
import type { RenderedFile } from '../model.js';

/** Reads a source file as UTF-8, refusing bytes that are not valid UTF-8. */
export function readSource(root: string, file: string): string {
  let bytes: Buffer;
  let text: string;
  try {
    bytes = readFileSync(join(root, file));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TemplateError(`cannot read the file (${code})`, {
      file,
      cause,
      hint: 'check that the file exists and is readable (chmod a+r)',
    });
  }
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new TemplateError('file is not valid UTF-8', {
      file,
      hint: 'save it as UTF-8 (most editors have "Save with encoding")',
    });
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0)
    throw new TemplateError('file contains a NUL byte', {
      file,
      line: text.slice(0, nul).split('\n').length,
      hint: 'remove it: SQL text cannot hold one (is it a binary file saved as .sql?)',
    });
  return text;
}

/** Renders one file (keeping a copy in compiledDir when given); throws TemplateError at the user's file:line. */
export function renderFile(
  env: nunjucks.Environment,
  root: string,
  file: string,
  context: TemplateContext,
  compiledDir?: string,
): RenderedFile {
  const source = readSource(root, file);
  let sql: string;
  try {
    sql = new nunjucks.Template(source, env, join(root, file), true).render(context);
  } catch (cause) {
    throw templateError(cause, root, file, source, context.vars);
  }
  const compiled = compiledDir ? `${compiledDir}/${file.split('/').pop()}` : '';
  if (compiled) {
    writeLog(join(root, compiled), maskSecrets(sql));
  }
  return {
    file,
    compiled,
    sql,
    lineMap: mapRenderedLines(source, sql),
    transaction: !hasFlag(readDirectives(source), 'no-transaction'),
  };
}

/** Renders every file of a step into logs/compiled/<step>/, replacing what the last run left there;
 * refuses SQL that would end the step's transaction. */
export function renderStep(
  env: nunjucks.Environment,
  root: string,
  files: readonly string[],
  context: TemplateContext,
  compiledDir: string,
): RenderedFile[] {
  rmSync(join(root, compiledDir), { recursive: true, force: true });
  return files.map((file) => {
    const rendered = renderFile(env, root, file, context, compiledDir);
    refuseTransactionControl(rendered);
    return rendered;
  });
}
