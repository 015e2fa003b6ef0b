// The inputs and outputs of the events: a step's tables and files (views and table macros followed) with
// their schema and column lineage, its outputs' row counts; the tables the assertions checked; the publish
// targets delivered.
import type { Step, Warehouse } from '../../model.js';
import type { AssertionResult, PlannedRun, PublishOutcome, StepReport } from '../../results.js';
import { lineageOf, projectViews, reachedThrough } from '../../render/lineage.js';
import { assertionsFacet, columnLineageFacet, schemaFacet, statisticsFacet } from './facets.js';
import { fileDataset, tableDataset, targetDataset, type Dataset } from './naming.js';

export interface DatasetContext {
  readonly root: string;
  readonly warehouse: Warehouse;
  readonly planned: PlannedRun;
  readonly producer: string;
}

/** A column-lineage source (`schema.table` or `file:PATH`) as a dataset. */
const sourceDataset = (c: DatasetContext, source: string): Dataset =>
  source.startsWith('file:') ? fileDataset(c.root, source.slice(5)) : tableDataset(c.warehouse, source);

/** A table as a dataset, with its schema and column lineage when they are known. */
function table(c: DatasetContext, name: string, withLineage: boolean) {
  const columns = c.planned.columns?.get(name);
  const facets: Record<string, object> = {};
  if (columns && columns.columns.length > 0) facets.schema = schemaFacet(c.producer, columns);
  if (columns && withLineage)
    facets.columnLineage = columnLineageFacet(c.producer, columns, (s) => sourceDataset(c, s));
  return { ...tableDataset(c.warehouse, name), facets };
}

const WRITING = /^(INSERT|CREATE|COPY|MERGE|UPDATE)/i;

/** Rows each table got from a step's statements (inserted, created, copied, merged, updated). */
function rowsByTable(report: StepReport): Map<string, number> {
  const rows = new Map<string, number>();
  for (const s of report.statements) {
    if (!WRITING.test(s.kind) || s.rowsChanged <= 0) continue;
    const [target] = lineageOf([s.text]).writes;
    if (target) rows.set(target, (rows.get(target) ?? 0) + s.rowsChanged);
  }
  return rows;
}

/** A step's inputs and outputs (`report`: at its end, with the row counts of what committed). */
export function stepDatasets(c: DatasetContext, step: Step, report?: StepReport) {
  const lineage = c.planned.flow?.lineage;
  const l = lineage?.get(step.id);
  if (!lineage || !l) return {};
  const reached = [...reachedThrough(l.reads, l.calls, projectViews(lineage.values()))].filter(
    (t) => !l.writes.includes(t),
  );
  const rows = report && report.status === 'ok' ? rowsByTable(report) : new Map<string, number>();
  const outputs = l.writes.map((t) => {
    const d = table(c, t, true);
    return rows.has(t) ? { ...d, outputFacets: { outputStatistics: statisticsFacet(c.producer, rows.get(t)!) } } : d;
  });
  return {
    inputs: [...reached.map((t) => table(c, t, false)), ...l.filesRead.map((f) => fileDataset(c.root, f))],
    outputs: [...outputs, ...l.filesWritten.map((f) => fileDataset(c.root, f))],
  };
}

/** The tables the assertions read, each with the assertions that checked it. */
export function checkedInputs(c: DatasetContext, results: readonly AssertionResult[]) {
  const byTable = new Map<string, AssertionResult[]>();
  for (const r of results) {
    const assertion = c.planned.assertions.find((a) => a.name === r.name);
    for (const t of assertion ? lineageOf([assertion.sql]).reads : []) byTable.set(t, [...(byTable.get(t) ?? []), r]);
  }
  return [...byTable].map(([t, list]) => ({
    ...table(c, t, false),
    inputFacets: { dataQualityAssertions: assertionsFacet(c.producer, list) },
  }));
}

/** The publish targets delivered, with the rows each got. */
export function targetOutputs(c: DatasetContext, outcomes: readonly PublishOutcome[]) {
  return outcomes.flatMap((o) => {
    const target = c.planned.targets.find((t) => t.destination === o.destination);
    const d = o.status === 'ok' && target ? targetDataset(c.root, target) : undefined;
    return d ? [{ ...d, facets: {}, outputFacets: { outputStatistics: statisticsFacet(c.producer, o.rows) } }] : [];
  });
}
