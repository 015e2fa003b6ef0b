// Explains a Nunjucks exception: what went wrong, at which file:line (the macro file's line when the error
// is inside an imported macro or the macro file does not parse), and what to do. Nunjucks numbers the line of
// a runtime error ("Error: …", or the call that failed inside a macro) from 0 and leaves it out on the first
// line; parse errors and "undefined output" it numbers from 1. All come out 1-based here.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import nunjucks from 'nunjucks';
import { TemplateError } from '../errors.js';

const POSITION = /\(([^()]+)\) \[Line (\d+), Column (\d+)\]/g;
const UNDEFINED_OUTPUT = 'attempted to output null or undefined value';

interface Where {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly source: string;
  readonly calledFrom?: string; // file:line of the call when the error is inside a macro file
}

/** The expression {{ … }} at a line (from a column, when known). */
function expressionAt(where: Where): string | undefined {
  const text = where.line ? (where.source.split('\n')[where.line - 1] ?? '') : '';
  return (
    text.slice(Math.max((where.column ?? 1) - 1, 0)).match(/\{\{-?\s*(.+?)\s*-?\}\}/)?.[1] ??
    text.match(/\{\{-?\s*(.+?)\s*-?\}\}/)?.[1]
  );
}

function undefinedValue(where: Where, vars: Readonly<Record<string, string>>) {
  const expr = expressionAt(where);
  const numeric = expr?.match(/^vars\.(\w+)\s*\|\s*(int|float)\b/);
  if (numeric && vars[numeric[1]] !== undefined) {
    return {
      what: `vars.${numeric[1]} is "${vars[numeric[1]]}", which is not a number (in {{ ${expr} }})`,
      hint: `pass a number (--var ${numeric[1]}=10), or give a fallback: {{ vars.${numeric[1]} | ${numeric[2]}(0) }}`,
    };
  }
  const name = expr?.match(/^vars\.(\w+)/)?.[1];
  return {
    what: `undefined value${expr ? ` in {{ ${expr} }}` : ''}`,
    hint:
      name && vars[name] !== undefined
        ? 'a part of that expression is undefined; check the names after vars'
        : 'pass it with --var name=value or set it under "ducksteps"."vars" in package.json; for an optional value use {{ x | default("...") }}',
  };
}

function describe(raw: string, where: Where, vars: Readonly<Record<string, string>>): { what: string; hint: string } {
  const last =
    raw
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .pop() ?? raw;
  const bare = last.replace(/^Template render error: /, '').replace(/^\w*Error: /, '');
  if (raw.includes(UNDEFINED_OUTPUT)) return undefinedValue(where, vars);
  if (raw.includes('is needed again but is gone'))
    return {
      what: bare,
      hint: 'put the file back where it was (landing, or the archive); ducksteps never deletes landing files, something else moved it',
    };
  const unsetEnv = raw.match(/environment variable (\w+) is not set/)?.[1];
  if (unsetEnv)
    return {
      what: `environment variable ${unsetEnv} is not set`,
      hint: `export ${unsetEnv}=... before running, or give a default: env("${unsetEnv}", "value")`,
    };
  if (raw.includes('template not found')) {
    return {
      what: `included or imported file not found: ${raw.match(/template not found: (.*)/)?.[1]?.trim() ?? '?'}`,
      hint: 'include and import paths are relative to sql/ (e.g. "macros/dates.sql") and must stay inside the project',
    };
  }
  if (raw.includes('Maximum call stack size exceeded'))
    return {
      what: 'template error: a macro calls itself without end (maximum call stack size exceeded)',
      hint: 'give the recursion a condition that stops it',
    };
  if (/filter not found/.test(raw))
    return {
      what: `template error: ${bare}`,
      hint: 'check the filter name: Nunjucks filters plus sql_string and sql_ident (docs/templating.md)',
    };
  if (/Unable to call `(\w+)`/.test(raw))
    return {
      what: `template error: ${bare}`,
      hint: 'check the name: a macro must be defined or imported before it is called; functions are env(), the assertion macros and loop helpers (docs/templating.md)',
    };
  const tag = raw.match(/unknown block tag: (\w+)/)?.[1];
  if (tag)
    return {
      what: `template error: ${bare}`,
      hint: `Nunjucks has no {% ${tag} %} tag: use if, for, set, macro, call, import, from, include, filter or raw (docs/templating.md)`,
    };
  const block = raw.match(/expected (elif, else, or endif|endfor|endmacro)/)?.[1];
  return {
    what: `template error: ${bare}`,
    hint: block
      ? `close the block opened on that line with {% ${block.split(' ').pop()} %}`
      : 'fix the Nunjucks syntax at that line',
  };
}

const OPENS = /\{%-?\s*(if|for|macro|block|call|filter|raw)\b/g;
const CLOSES = /\{%-?\s*end(if|for|macro|block|call|filter|raw)\b/g;

/** The line of the last block tag ({% if %}, {% for %}, …) that is never closed. */
function unclosedBlockLine(source: string): number | undefined {
  const open: number[] = [];
  source.split('\n').forEach((line, i) => {
    for (let k = (line.match(OPENS) ?? []).length; k > 0; k--) open.push(i + 1);
    for (let k = (line.match(CLOSES) ?? []).length; k > 0; k--) open.pop();
  });
  return open.pop();
}

/** Nunjucks reports some errors without a line: find the line that caused them. */
function guessLine(raw: string, source: string): number | undefined {
  const lines = source.split('\n');
  const first = (test: (l: string) => boolean) => lines.findIndex(test) + 1 || undefined;
  const filter = raw.match(/filter not found: (\w+)/)?.[1];
  if (filter) return first((l) => new RegExp(`\\|\\s*${filter}\\b`).test(l));
  const called = raw.match(/Unable to call `([\w.]+)`/)?.[1];
  if (called) return first((l) => new RegExp(`(^|[^\\w.])${called.replace(/\./g, '\\.')}\\s*\\(`).test(l)); // on line 1 Nunjucks gives no position
  const envName = raw.match(/environment variable (\w+) is not set/)?.[1];
  if (envName) return first((l) => new RegExp(`env\\(\\s*["']${envName}["']`).test(l));
  if (raw.includes('end of file')) return unclosedBlockLine(source);
  const input =
    raw.match(/is needed again but is gone/) && raw.match(/landing file \S+/)
      ? /batch\.(files|paths|all_files)\b/
      : undefined;
  if (input) return first((l) => input.test(l)); // the first line that reads the batch's files
  const recursive = [...source.matchAll(/\{%-?\s*macro\s+(\w+)/g)].find((m) =>
    new RegExp(`\\b${m[1]}\\(`).test(source.slice((m.index ?? 0) + m[0].length)),
  );
  if (recursive && raw.includes('Maximum call stack')) return source.slice(0, recursive.index).split('\n').length;
  return undefined;
}

/** The macro file an error inside an imported macro comes from: the alias called on the failing line. */
function macroFile(root: string, source: string, line: number): string | undefined {
  const text = source.split('\n')[line - 1] ?? '';
  const imports = new Map(
    [...source.matchAll(/\{%-?\s*import\s+["']([^"']+)["']\s+as\s+(\w+)/g)].map((m) => [m[2], m[1]]),
  );
  const alias = [...text.matchAll(/(\w+)\.\w+\s*\(/g)].map((m) => m[1]).find((a) => imports.has(a));
  return alias ? `sql/${imports.get(alias)}` : undefined;
}

/** The 1-based line of a position: a runtime error's (followed by "Error:", or by the error of the macro it
 * called) is 0-based in Nunjucks, a parse error's and an undefined output's 1-based. */
function lineOf(raw: string, position: RegExpMatchArray): number {
  const after = raw.slice((position.index ?? 0) + position[0].length);
  return Number(position[2]) + (/^\s*(Template render error:|\w*Error:)/.test(after) ? 1 : 0);
}

/** The imported or included file that does not parse, with its error's line and the line importing it: a
 * parse error in a macro file reaches the importer with the importer's name on it. */
function unparsableImport(
  root: string,
  source: string,
): { file: string; line?: number; source: string; importLine: number } | undefined {
  for (const m of source.matchAll(/\{%-?\s*(?:import|from|include)\s+["']([^"']+)["']/g)) {
    const file = [join('sql', m[1]), m[1]].find(
      (f) => existsSync(join(root, f)) && !relative(root, join(root, f)).startsWith('..'),
    );
    if (!file) continue;
    const text = readFileSync(join(root, file), 'utf8');
    try {
      new nunjucks.Template(text, new nunjucks.Environment(), file, true); // compiles only: a parse error throws
    } catch (error) {
      const position = [...String((error as Error).message).matchAll(POSITION)].pop();
      return {
        file: file.split(sep).join('/'),
        line: position ? Number(position[2]) : undefined,
        source: text,
        importLine: source.slice(0, m.index).split('\n').length,
      };
    }
  }
  return undefined;
}

function locate(raw: string, root: string, file: string, source: string): Where {
  const positions = [...raw.matchAll(POSITION)];
  const nested = /Template render error:/.test(raw.slice(0, positions[0]?.index ?? raw.length));
  if (nested && positions.length <= 1 && !/Error: /.test(raw.slice(raw.lastIndexOf('Template render error:') + 22))) {
    const broken = unparsableImport(root, source);
    if (broken)
      return {
        file: broken.file,
        line: broken.line,
        source: broken.source,
        calledFrom: `${file}:${broken.importLine}`,
      };
  }
  if (positions.length === 0) return { file, line: guessLine(raw, source), source };
  const outer = positions[0];
  const outerLine = lineOf(raw, outer);
  const at = relative(root, outer[1]).split(sep).join('/');
  if (positions.length > 1) {
    const inner = positions[positions.length - 1];
    const macro = macroFile(root, source, outerLine);
    if (macro) {
      const macroSource = readFileSync(join(root, macro), 'utf8');
      return {
        file: macro,
        line: lineOf(raw, inner),
        column: Number(inner[3]),
        source: macroSource,
        calledFrom: `${at}:${outerLine}`,
      };
    }
  }
  return { file: at, line: outerLine, column: Number(outer[3]), source: at === file ? source : '' };
}

/** Turns a Nunjucks exception into a TemplateError at the user's file and line. */
export function templateError(
  cause: unknown,
  root: string,
  file: string,
  source: string,
  vars: Readonly<Record<string, string>> = {},
): TemplateError {
  const raw = cause instanceof Error ? cause.message : String(cause);
  const where = locate(raw, root, file, source);
  const { what, hint } = describe(raw, where, vars);
  return new TemplateError(what, {
    file: where.file,
    line: where.line,
    hint: where.calledFrom ? `${hint} (called from ${where.calledFrom})` : hint,
    cause,
  });
}
