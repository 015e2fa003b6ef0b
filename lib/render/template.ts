// Stage 2a: the Nunjucks environment and its context (vars, run_id, step, env(), quoting filters).
import nunjucks from 'nunjucks';
import { join, relative, sep } from 'node:path';
import { assertionMacros } from './assertion-macros.js';
import { TemplateError } from '../errors.js';
import { noteSecret } from './secrets.js';

export interface TemplateContext {
  readonly vars: Readonly<Record<string, string>>;
  readonly run_id: string;
  readonly run_started_at: string;
  readonly step?: { readonly number: number; readonly name: string };
  readonly batch?: unknown; // incremental steps only: see render/batch-context.ts
}

/** Quotes a value as a SQL string literal: the documented way to put a --var into SQL. */
export const sqlString = (value: unknown): string => `'${String(value).replace(/'/g, "''")}'`;

/** Quotes a value as a SQL identifier (table or column name). */
export const sqlIdent = (value: unknown): string => `"${String(value).replace(/"/g, '""')}"`;

/** Environment variables for templates; secret-looking values are noted so logs can mask them. */
export function readEnv(name: string, fallback?: unknown): string {
  const value = process.env[name];
  if (value === undefined) {
    if (fallback === undefined) throw new Error(`environment variable ${name} is not set`);
    return String(fallback);
  }
  noteSecret(name, value);
  return value;
}

/** One Nunjucks environment per build: includes resolve under the project and sql/; the build's
 * context is also global, so imported macros see vars and run_id without `with context`. */
export function createEnvironment(root: string, context: TemplateContext): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader([root, join(root, 'sql')], { noCache: true });
  const env = new nunjucks.Environment(loader, {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('sql_string', sqlString);
  env.addFilter('sql_ident', sqlIdent);
  env.addGlobal('env', (name: string, fallback?: unknown) => readEnv(name, fallback));
  for (const [key, value] of Object.entries({ ...assertionMacros, ...context })) env.addGlobal(key, value);
  return env;
}

const POSITION = /\(([^()]+)\) \[Line (\d+), Column (\d+)\]/;

function describe(raw: string, source: string, line?: number, column?: number): { what: string; hint: string } {
  if (raw.includes('attempted to output null or undefined value')) {
    const text = line ? source.split('\n')[line - 1] ?? '' : '';
    const expr = text.slice(Math.max((column ?? 1) - 1, 0)).match(/\{\{-?\s*(.+?)\s*-?\}\}/)?.[1];
    return {
      what: `undefined value${expr ? ` in {{ ${expr} }}` : ''}`,
      hint: 'pass it with --var name=value or set it under "ducksteps"."vars" in package.json; for an optional value use {{ x | default("...") }}',
    };
  }
  const unsetEnv = raw.match(/environment variable (\w+) is not set/)?.[1];
  if (unsetEnv) {
    return { what: `environment variable ${unsetEnv} is not set`, hint: `export ${unsetEnv}=... before running, or give a default: env("${unsetEnv}", "value")` };
  }
  if (raw.includes('template not found')) {
    const target = raw.match(/template not found: (.*)/)?.[1]?.trim();
    return {
      what: `included or imported file not found: ${target ?? '?'}`,
      hint: 'include and import paths are relative to sql/ (e.g. "macros/dates.sql") and must stay inside the project',
    };
  }
  const last = raw.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? raw;
  const block = raw.match(/expected (elif, else, or endif|endfor|endmacro)/)?.[1];
  const hint = block ? `close the block opened on that line with {% ${block.split(' ').pop()} %}` : 'fix the Nunjucks syntax at that line';
  return { what: `template error: ${last.replace(/^Template render error: /, '')}`, hint };
}

/** Turns a Nunjucks exception into a TemplateError at the user's file and line. */
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
  const first = (test: (l: string) => boolean) => (lines.findIndex(test) + 1) || undefined;
  const filter = raw.match(/filter not found: (\w+)/)?.[1];
  if (filter) return first((l) => new RegExp(`\\|\\s*${filter}\\b`).test(l));
  const envName = raw.match(/environment variable (\w+) is not set/)?.[1];
  if (envName) return first((l) => new RegExp(`env\\(\\s*["']${envName}["']`).test(l));
  if (raw.includes('end of file')) return unclosedBlockLine(source);
  return undefined;
}

export function templateError(cause: unknown, root: string, file: string, source: string): TemplateError {
  const raw = cause instanceof Error ? cause.message : String(cause);
  const position = raw.match(POSITION);
  const at = position ? relative(root, position[1]).split(sep).join('/') : file;
  const line = position ? Number(position[2]) : guessLine(raw, source);
  const { what, hint } = describe(raw, at === file ? source : '', line, position ? Number(position[3]) : undefined);
  return new TemplateError(what, { file: at, line, hint, cause });
}
