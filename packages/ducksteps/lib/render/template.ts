// Stage 2a: the Nunjucks environment and its context (vars, run_id, step, engine, env(), quoting and path filters).
import nunjucks from 'nunjucks';
import { join, resolve } from 'node:path';
import type { Dialect, Settings } from '../model.js';
import { assertionMacros } from './assertion-macros.js';
import { noteSecret } from './secrets.js';
import { sqlIdent, sqlString } from '../sql/quote.js';

export interface TemplateContext {
  readonly vars: Readonly<Record<string, string>>;
  readonly run_id: string;
  readonly run_started_at: string;
  readonly engine: Dialect; // the SQL dialect this run renders for: {% if engine == 'duckdb' %}
  readonly step?: { readonly number: number; readonly name: string };
  readonly batch?: unknown; // incremental steps only: see render/batch-context.ts
}

/** The context a command renders with: the settings' vars and engine, a run id and when it started. */
export const templateContext = (
  settings: Pick<Settings, 'vars' | 'engine'>,
  runId: string,
  startedAt = '',
): TemplateContext => ({
  vars: settings.vars,
  run_id: runId,
  run_started_at: startedAt,
  engine: settings.engine ?? 'duckdb',
});

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
  env.addFilter('absolute', (path: string) => resolve(root, String(path))); // a cluster resolves paths from its own folder
  env.addGlobal('env', (name: string, fallback?: unknown) => readEnv(name, fallback));
  for (const [key, value] of Object.entries({ ...assertionMacros(context.engine), ...context }))
    env.addGlobal(key, value);
  return env;
}
