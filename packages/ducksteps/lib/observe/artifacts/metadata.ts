// What both run artifacts (logs/run_results.json, logs/manifest.json) start with, and how they are written: one
// JSON document each, replaced whole (a reader never sees half a file). Their JSON Schemas are in the package's
// schemas/ folder; docs/observability.md describes every field.
import { readFileSync, renameSync } from 'node:fs';
import { writeLog } from '../../logs/write.js';

/** The schema versions: a field removed or changed in meaning is a new version (a new schema file). */
export const RUN_RESULTS_SCHEMA = 'urn:ducksteps:run-results:v1';
export const MANIFEST_SCHEMA = 'urn:ducksteps:manifest:v1';

/** The target the run built: dev/prod targets are not there yet, so every run is "default". */
export const TARGET = 'default';

let version: string | undefined;

/** The ducksteps package's version (lib/ and dist/ are both three folders below its package.json). */
export function ducksVersion(): string {
  try {
    version ??= (
      JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    version = 'unknown';
  }
  return version;
}

/** The metadata block both artifacts open with (dbt's names, ducksteps' versions). */
export const metadataOf = (schema: string, runId: string) => ({
  ducksteps_schema_version: schema,
  ducksteps_version: ducksVersion(),
  generated_at: new Date().toISOString(),
  invocation_id: runId,
  target: TARGET,
});

/** Writes `value` as `path`, through a temporary file renamed into place. */
export function writeJson(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeLog(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
}
