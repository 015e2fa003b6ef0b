// Doctor's check of the PostgreSQL servers the publish targets deliver to: each connection variable
// (DUCKSTEPS_PG_URL, or a target's -- url-env:) set, and the server answering.
import type { PublishTarget } from '../model.js';
import { pingPostgres } from '../publish/postgres/delivery.js';
import { redact } from '../publish/postgres/postgres.js';
import { error, ok, warning, type Check } from './check.js';

/** One check per connection variable the postgres targets use (and DUCKSTEPS_PG_URL when it is set). */
export async function postgresChecks(targets: readonly PublishTarget[]): Promise<Check[]> {
  const byVariable = new Map<string, PublishTarget[]>();
  for (const t of targets.filter((t) => t.kind === 'postgres')) {
    const variable = t.options['url-env'] ?? 'DUCKSTEPS_PG_URL';
    byVariable.set(variable, [...(byVariable.get(variable) ?? []), t]);
  }
  if (process.env.DUCKSTEPS_PG_URL && !byVariable.has('DUCKSTEPS_PG_URL')) byVariable.set('DUCKSTEPS_PG_URL', []);
  const checks: Check[] = [];
  for (const [variable, list] of byVariable) {
    const url = process.env[variable];
    const named = list.length
      ? `${list.length} postgres target${list.length === 1 ? '' : 's'} (${list.map((t) => t.destination).join(', ')})`
      : 'no target yet';
    if (!url) {
      checks.push(
        warning(
          'postgres',
          `${variable} is not set: ${named} ${list.length === 1 ? 'is' : 'are'} skipped`,
          `export ${variable}=postgres://user:password@host:5432/database (docs/publish.md)`,
        ),
      );
      continue;
    }
    try {
      checks.push(ok('postgres', `PostgreSQL ${await pingPostgres(url)} at ${redact(url)} for ${named}`));
    } catch (e) {
      checks.push(
        error(
          'postgres',
          `${redact(url)} (${variable}) cannot be reached: ${(e as Error).message}`,
          `start the server or correct ${variable}`,
        ),
      );
    }
  }
  return checks;
}
