// The run artifacts checked against their JSON Schemas (schemas/*.schema.json, with ajv): every run the suite
// makes through cli() is checked (helpers.ts), and tests call checkArtifacts themselves for other runs.
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const schema = (name: string) => JSON.parse(readFileSync(join(PKG, 'schemas', name), 'utf8')) as object;
const validators = {
  'run_results.json': ajv.compile(schema('run-results.v1.schema.json')),
  'manifest.json': ajv.compile(schema('manifest.v1.schema.json')),
};

/** The errors of one artifact against its schema ([] when valid). */
export function artifactErrors(file: keyof typeof validators, document: unknown): string[] {
  const validate = validators[file];
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${file}${e.instancePath} ${e.message}`);
}

/** Modification times of a project's artifacts now (to tell which a command wrote). */
export const artifactTimes = (root: string) =>
  Object.fromEntries(
    Object.keys(validators).map((f) => {
      const path = join(root, 'logs', f);
      return [f, existsSync(path) ? statSync(path).mtimeMs : 0];
    }),
  );

/** Throws when an artifact written since `before` does not match its schema. */
export function checkArtifacts(root: string, before: Record<string, number> = {}): void {
  for (const file of Object.keys(validators) as Array<keyof typeof validators>) {
    const path = join(root, 'logs', file);
    if (!existsSync(path) || statSync(path).mtimeMs === before[file]) continue;
    const errors = artifactErrors(file, JSON.parse(readFileSync(path, 'utf8')));
    if (errors.length > 0) throw new Error(`logs/${file} does not match its schema:\n${errors.join('\n')}`);
  }
}
