// OpenLineage events checked the way the spec means: each event against the official 2-0-2 schema, each facet
// against the schema its _schemaURL names (the official files in openlineage/spec/, pinned by SHA256SUMS), and
// read back by a real consumer, the official OpenLineage Java client (openlineage/Reader.java; provisioned by
// .ci/provision-openlineage.sh into .cache/openlineage-java/).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = join(dirname(fileURLToPath(import.meta.url)), 'openlineage');
const REPO = join(HERE, '..', '..', '..', '..');
const SPEC = join(HERE, 'spec');
export const JARS = join(process.env.DUCKSTEPS_CACHE ?? join(REPO, '.cache'), 'openlineage-java', 'jars');
const EVENT = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** The pinned spec files, each checked against SHA256SUMS (a file changed by hand is refused). */
function specFiles(): Map<string, object> {
  const files = new Map<string, object>();
  for (const line of readFileSync(join(SPEC, 'SHA256SUMS'), 'utf8').trim().split('\n')) {
    const [sum, path] = line.split(/\s+/);
    const bytes = readFileSync(join(SPEC, path));
    if (createHash('sha256').update(bytes).digest('hex') !== sum)
      throw new Error(`${path} differs from its pinned hash`);
    const schema = JSON.parse(bytes.toString('utf8')) as { $id: string };
    files.set(schema.$id, schema);
  }
  return files;
}

const schemas = specFiles();
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
for (const schema of schemas.values()) ajv.addSchema(schema);

/** The facets of an event, as [where, name, facet]. */
function facetsOf(event: Record<string, any>): Array<[string, string, Record<string, unknown>]> {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const out: Array<[string, string, Record<string, unknown>]> = [];
  const add = (where: string, facets: Record<string, Record<string, unknown>> | undefined) =>
    Object.entries(facets ?? {}).forEach(([name, f]) => out.push([where, name, f]));
  add('run', event.run?.facets);
  add('job', event.job?.facets);
  for (const d of event.inputs ?? []) (add('input', d.facets), add('input', d.inputFacets));
  for (const d of event.outputs ?? []) (add('output', d.facets), add('output', d.outputFacets));
  return out;
}

/** Why an event is not a valid OpenLineage 2-0-2 RunEvent ([] when it is), its facets included. */
export function eventErrors(event: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const validate = ajv.getSchema(EVENT)!;
  if (!validate(event)) errors.push(...(validate.errors ?? []).map((e) => `event${e.instancePath} ${e.message}`));
  for (const [where, name, facet] of facetsOf(event)) {
    const id = String(facet._schemaURL ?? '').split('#')[0];
    if (!schemas.has(id)) {
      errors.push(`${where} facet ${name}: no pinned schema for ${id || '(no _schemaURL)'}`);
      continue;
    }
    const check = ajv.getSchema(id)!;
    if (!check({ [name]: facet }))
      errors.push(...(check.errors ?? []).map((e) => `${where} facet ${name}${e.instancePath} ${e.message}`));
  }
  return errors;
}

/** The events of a JSON-lines file. */
export const eventsIn = (path: string): Array<Record<string, any>> =>
  // eslint-disable-line @typescript-eslint/no-explicit-any
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];

/** What the official Java client reads in each event (one object per event). */
export async function readBack(path: string): Promise<Array<Record<string, any>>> {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  if (!existsSync(JARS))
    throw new Error(`the OpenLineage Java client is missing: run bash .ci/provision-openlineage.sh (${JARS})`);
  const run = await execa('java', ['-cp', `${JARS}/*`, join(HERE, 'Reader.java')], { inputFile: path });
  return run.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}
