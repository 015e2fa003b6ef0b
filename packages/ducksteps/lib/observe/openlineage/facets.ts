// The OpenLineage facets ducksteps writes, each with its producer and the URL of its schema (the facet versions
// the tests validate against: tests/openlineage/spec/). Plain objects in, facets out.
import type { AssertionResult, TableColumns } from '../../results.js';
import type { Dataset } from './naming.js';

const FACETS = 'https://openlineage.io/spec/facets';
export const EVENT_SCHEMA = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** What every facet starts with. */
const base = (producer: string, file: string, name: string) => ({
  _producer: producer,
  _schemaURL: `${FACETS}/${file}#/$defs/${name}`,
});

/** The job's kind: the whole run (JOB) or one step (TASK), a batch job of the ducksteps integration. */
export const jobTypeFacet = (producer: string, jobType: 'JOB' | 'TASK') => ({
  ...base(producer, '2-0-3/JobTypeJobFacet.json', 'JobTypeJobFacet'),
  processingType: 'BATCH',
  integration: 'DUCKSTEPS',
  jobType,
});

export const engineFacet = (producer: string, version: string) => ({
  ...base(producer, '1-1-1/ProcessingEngineRunFacet.json', 'ProcessingEngineRunFacet'),
  version,
  name: 'ducksteps',
  openlineageAdapterVersion: version,
});

/** A step's run points at the run of the whole build (its parent, and the root). */
export function parentFacet(producer: string, parent: { runId: string; namespace: string; name: string }) {
  const run = { runId: parent.runId };
  const job = { namespace: parent.namespace, name: parent.name };
  return { ...base(producer, '1-1-0/ParentRunFacet.json', 'ParentRunFacet'), run, job, root: { run, job } };
}

export const errorFacet = (producer: string, message: string) => ({
  ...base(producer, '1-0-1/ErrorMessageRunFacet.json', 'ErrorMessageRunFacet'),
  message,
  programmingLanguage: 'SQL',
});

/** A table's columns (and their types where the project's CREATE TABLE says them). */
export const schemaFacet = (producer: string, columns: TableColumns) => ({
  ...base(producer, '1-2-0/SchemaDatasetFacet.json', 'SchemaDatasetFacet'),
  fields: columns.columns.map((c) => (c.type ? { name: c.column, type: c.type } : { name: c.column })),
});

export const statisticsFacet = (producer: string, rowCount: number) => ({
  ...base(producer, '1-0-2/OutputStatisticsOutputDatasetFacet.json', 'OutputStatisticsOutputDatasetFacet'),
  rowCount,
});

/** The assertions that checked a table: each passed (no offending row) or not. */
export const assertionsFacet = (producer: string, results: readonly AssertionResult[]) => ({
  ...base(producer, '1-1-0/DataQualityAssertionsDatasetFacet.json', 'DataQualityAssertionsDatasetFacet'),
  assertions: results.map((r) => ({ assertion: r.name, success: r.status === 'pass', severity: r.severity })),
});

const SUBTYPE = { identity: 'IDENTITY', transformation: 'TRANSFORMATION', aggregation: 'AGGREGATION' } as const;

/** Which upstream columns each column of a table comes from; `dataset` resolves a `schema.table` or `file:PATH`. */
export function columnLineageFacet(producer: string, columns: TableColumns, dataset: (source: string) => Dataset) {
  const fields: Record<string, unknown> = {};
  for (const c of columns.columns) {
    const inputFields = c.from.map((f) => {
      const cut = f.source.lastIndexOf('.');
      return {
        ...dataset(f.source.slice(0, cut)),
        field: f.source.slice(cut + 1),
        transformations: [{ type: 'DIRECT', subtype: SUBTYPE[f.how] }],
      };
    });
    if (inputFields.length > 0) fields[c.column] = { inputFields };
  }
  return { ...base(producer, '1-2-0/ColumnLineageDatasetFacet.json', 'ColumnLineageDatasetFacet'), fields };
}
