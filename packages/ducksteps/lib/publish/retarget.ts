// A target's publish destinations (package.json "targets".NAME."publish"): file targets written into its own
// output folder, PostgreSQL targets through its own URL variable and into its schemas, so a staging target can
// deliver without touching what production's consumers read.
import { basename, join } from 'node:path';
import type { PublishTarget, PublishTo } from '../model.js';
import { parseTable } from './postgres/names.js';

/** The schema of a `schema.table` destination mapped through `schemas` (by the schema as written). */
function mapSchema(destination: string, schemas: Readonly<Record<string, string>>): string {
  const table = parseTable(destination);
  if (!('written' in table)) return destination;
  const to = schemas[table.written.schema];
  return to === undefined ? destination : `${to}.${table.written.table}`;
}

/** The publish targets as this target delivers them (false: none; undefined: as declared). */
export function retarget(targets: readonly PublishTarget[], to: PublishTo | undefined): readonly PublishTarget[] {
  if (to === undefined) return targets;
  if (to === false) return [];
  return targets.map((t) =>
    t.kind === 'file'
      ? to.output === undefined
        ? t
        : { ...t, destination: join(to.output, basename(t.destination)) }
      : t.kind === 'postgres'
        ? {
            ...t,
            destination: mapSchema(t.destination, to.schemas),
            options: to.urlEnv === undefined ? t.options : { ...t.options, 'url-env': to.urlEnv },
          }
        : t,
  );
}
