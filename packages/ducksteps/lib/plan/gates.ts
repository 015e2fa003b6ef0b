// Which step each assertion gates: the last step that writes anything it reads — directly, or under a view
// or table macro it reads (from the lineage) — or the one its `-- step: NN_name` line names. It then runs
// inside that step's transaction, before COMMIT, so it sees every change to its data; assertions that read
// no step's tables run after the last step. An assertion's names are read from the warehouse's home, as every
// session starts (its gate runs with the step's search path reset: engines/duckdb/database.ts).
import { lineageOf, projectViews, reachedThrough } from '../render/lineage.js';
import type { Assertion, Project, ProjectLineage, Step } from '../model.js';
import { ConfigError } from '../errors.js';
import { homeName, nameParts } from '../render/names.js';
import { codeOnly } from '../sql/split.js';

export interface Gates {
  readonly byStep: ReadonlyMap<string, readonly Assertion[]>;
  readonly after: readonly Assertion[]; // read no step's tables: run once the steps are done
}

/** The step an assertion belongs to, or undefined (it reads no step's tables). */
function owner(
  project: Project,
  lineage: ProjectLineage,
  views: ReadonlyMap<string, readonly string[]>,
  a: Assertion,
): string | undefined {
  const own = lineageOf([a.sql], undefined, lineage.home);
  const reached = reachedThrough(own.reads, own.calls, views);
  let found: string | undefined;
  for (const step of project.steps) if (lineage.get(step.id)?.writes.some((t) => reached.has(t))) found = step.id;
  return found;
}

/** Whether SQL (comments and strings blanked) names a table as the lineage names it: `raw.orders` as
 * `raw.orders`, a table of the home schema (`limits`) as a name no dot qualifies. */
function mentions(code: string, table: string): boolean {
  const parts = nameParts(table).map((p) => p.replace(/[^\w]/g, '\\$&'));
  const last = parts[parts.length - 1];
  const pattern =
    parts.length === 1
      ? `(?<![\\w."])"?${last}"?(?![\\w"])`
      : `\\b"?${parts[parts.length - 2]}"?\\s*\\.\\s*"?${last}"?(?![\\w"])`;
  return new RegExp(pattern, 'i').test(code);
}

/** An assertion without its batch variant when a step other than the one it gates writes a table the variant
 * narrows or reads (a `-- scope: batch` query: every table it reads, through views and macros): what that step
 * did to it between two batches is not this step's statements to see (worker/batch-scope.ts). A query's
 * variant carries what it reads, for the worker to check that the step only added rows to those. */
function alone(
  project: Project,
  lineage: ProjectLineage,
  views: ReadonlyMap<string, readonly string[]>,
  step: string,
  a: Assertion,
): Assertion {
  if (!a.batch || !lineage.home) return a;
  const home = lineage.home;
  const own = lineage.get(step)?.writes ?? [];
  const read = lineageOf([a.sql], undefined, home);
  // the lineage of a query misses some forms (a comma join): a table whose name is a word of it counts as read
  const code = codeOnly(a.sql);
  const named = (tables: readonly string[]) => tables.filter((t) => mentions(code, t));
  const reached = [...reachedThrough(read.reads, read.calls, views), ...named(own)];
  const reads = a.batch.custom ? [...new Set(reached)] : a.batch.reads;
  const narrowed = a.batch.tables.flatMap((t) => (t === '*' ? own : [homeName(home, t).name]));
  const tables = [...narrowed, ...reads.map((t) => homeName(home, t).name)];
  const others = project.steps.filter((s) => s.id !== step).flatMap((s) => lineage.get(s.id)?.writes ?? []);
  if (tables.some((t) => others.includes(t)) || named(others).length > 0) {
    const { batch: _, ...whole } = a;
    return whole;
  }
  return { ...a, batch: { ...a.batch, reads } };
}

/** `-- scope: batch` needs an incremental step to gate: there is no batch otherwise. */
function refuseScope(a: Assertion, step: Step | undefined): void {
  if (step?.incremental) return;
  throw new ConfigError(
    `assertion ${a.name} says -- scope: batch, but ` +
      (step ? `the step it gates, ${step.id}, is not incremental` : 'it gates no step'),
    {
      file: a.file,
      line: a.line,
      hint:
        'remove the -- scope: batch line (it checks the whole table), ' +
        'or make it gate an incremental step (-- step: NN_name)',
    },
  );
}

/** Splits the assertions into the ones gating each step and the ones that run after the steps. */
export function assignGates(project: Project, lineage: ProjectLineage, assertions: readonly Assertion[]): Gates {
  const byStep = new Map<string, Assertion[]>();
  const after: Assertion[] = [];
  const views = projectViews(lineage.values());
  for (const a of assertions) {
    if (a.error) {
      after.push(a);
      continue;
    }
    const wanted = a.step;
    const named = wanted
      ? project.steps.find(
          (s) => s.id === wanted || s.name === wanted || String(s.number) === wanted.replace(/^0+/, ''),
        )
      : undefined;
    if (a.step && !named) {
      after.push({
        ...a,
        error: {
          message: `-- step: ${a.step} names no step`,
          file: a.file,
          line: a.line,
          hint: `steps: ${project.steps.map((s) => s.id).join(', ')}`,
        },
      });
      continue;
    }
    const step = named ? named.id : owner(project, lineage, views, a);
    if (a.scope === 'batch')
      refuseScope(
        a,
        project.steps.find((s) => s.id === step),
      );
    if (step) byStep.set(step, [...(byStep.get(step) ?? []), alone(project, lineage, views, step, a)]);
    else after.push(a);
  }
  return { byStep, after };
}
