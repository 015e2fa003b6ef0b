// Stage 5a: turn tests/*.sql into named assertions: render, split, read -- name:, -- severity: and -- step:.
import type nunjucks from 'nunjucks';
import { directive, readDirectives, type Directive } from '../sql/directives.js';
import { lineIndex } from '../sql/line-map.js';
import { refuseWrites } from './guards.js';
import { readSource, renderFile } from './render.js';
import { MACRO_CALLS, type MacroCall } from './assertion-macros.js';
import { customVariant, macroVariant, mentionsScope, renderScoped, scopeOf } from './batch-scope.js';
import { splitStatements } from '../sql/split.js';
import type { TemplateContext } from './template.js';
import { TemplateError } from '../errors.js';
import type { Assertion, Severity } from '../model.js';

/** tests/orders/keys.sql -> orders/keys */
const baseName = (file: string) => file.replace(/^tests\//, '').replace(/\.sql$/, '');

function severityOf(directives: readonly Directive[], file: string, line: number): Severity {
  const value = directive(directives, 'severity')?.toLowerCase() ?? 'error';
  if (value !== 'error' && value !== 'warn') {
    throw new TemplateError(`unknown severity "${value}"`, {
      file,
      line,
      hint: 'use -- severity: warn or -- severity: error',
    });
  }
  return value;
}

/** The assertions of one test file; a file that cannot be rendered becomes one assertion in error. */
export function assertionsOf(
  env: nunjucks.Environment,
  root: string,
  file: string,
  context: TemplateContext,
  keepCompiled = true,
): Assertion[] {
  const compiledDir = `logs/compiled/${file.slice(0, file.lastIndexOf('/'))}`;
  try {
    const calls: MacroCall[] = [];
    const whole = { ...context, batch: { scoped: false }, [MACRO_CALLS]: calls };
    const rendered = renderFile(env, root, file, whole, keepCompiled ? compiledDir : undefined);
    refuseWrites(rendered);
    const chunks = splitStatements(rendered.sql);
    const scoped = mentionsScope(readSource(root, file)) ? renderScoped(env, root, file, context) : undefined;
    const pairs = scoped?.chunks.length === chunks.length ? scoped.chunks : [];
    const lineAt = lineIndex(rendered.sql);
    if (chunks.length === 0) {
      throw new TemplateError('assertion file has no query', {
        file,
        hint: 'write a query that returns the offending rows (none = pass), or delete the file',
      });
    }
    return chunks.map((chunk, i) => {
      const directives = readDirectives(chunk.text.slice(0, chunk.start - chunk.offset));
      const line = rendered.lineMap[lineAt(chunk.start) - 1] ?? 1;
      const name = directive(directives, 'name') || (chunks.length > 1 ? `${baseName(file)}#${i + 1}` : baseName(file));
      const assertion = {
        name,
        file,
        line,
        severity: 'error' as Severity,
        sql: chunk.text,
        compiled: rendered.compiled,
        step: directive(directives, 'step') || undefined,
      };
      try {
        const severity = severityOf(directives, file, line);
        const scope = scopeOf(directives, file, line);
        const batch = scope ? customVariant(pairs[i], scoped?.tables ?? []) : macroVariant(chunk, calls);
        return { ...assertion, severity, ...(scope ? { scope } : {}), ...(batch ? { batch } : {}) };
      } catch (error) {
        // a bad severity fails this assertion only; the file's other assertions still run
        if (!(error instanceof TemplateError)) throw error;
        return { ...assertion, sql: '', error: error.toStepError() };
      }
    });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return [
      {
        name: baseName(file),
        file,
        line: error.line ?? 1,
        severity: 'error',
        sql: '',
        compiled: `${compiledDir}/${file.split('/').pop()}`,
        error: error.toStepError(),
      },
    ];
  }
}
