// `docs`: docs/pipeline.md — a Mermaid lineage flowchart (steps, tables, files, publish targets) and the steps with their files.
import type { Assertion, Project, ProjectLineage, PublishTarget, Settings, StepLineage } from '../model.js';
import { ungated, type RunPlan } from '../plan/plan.js';
import { kindOf } from '../publish/registry.js';
import { lineageOf } from '../render/lineage.js';
import { renderFile, readSource } from '../render/render.js';
import { createEnvironment, templateContext, type TemplateContext } from '../render/template.js';
import { isDirective } from '../sql/directives.js';

const nodeId = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;

/** A label's text in Mermaid's own entity codes: Mermaid renders labels as HTML, so a table or assertion name
 * like <img onerror=…> or "<form>" must reach it as text (in report.html and in docs/pipeline.md alike). */
const label = (text: string) =>
  text.replace(/#/g, '#35;').replace(/&/g, '#amp;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/"/g, '#quot;');

/** The first comment line of a file (`--` in SQL, `//` in a script) that is not a ducksteps directive. */
function description(root: string, file: string): string {
  const comment = file.endsWith('.ts') ? /^\s*\/\/\s*/ : /^\s*--\s*/;
  const line = readSource(root, file)
    .split('\n')
    .find((l) => comment.test(l) && !isDirective(l));
  return line ? line.replace(comment, '').replace(/\|/g, '\\|') : '';
}

/** The Mermaid flowchart: steps (boxes), tables (cylinders), files (parallelograms), publish targets. */
export function flowchart(
  project: Project,
  lineage: ReadonlyMap<string, StepLineage>,
  gates: ReadonlyMap<string, readonly Assertion[]> = new Map(),
): string[] {
  const lines = ['```mermaid', 'flowchart LR'];
  const all = [...lineage.values()];
  const tables = new Set(all.flatMap((l) => [...l.writes, ...l.reads]));
  const files = new Set(all.flatMap((l) => [...l.filesRead, ...l.filesWritten]));
  for (const [id] of lineage)
    lines.push(`  ${nodeId('s', id)}["${label(id)}"]:::${id.startsWith('publish/') ? 'publish' : 'step'}`);
  for (const table of [...tables].sort()) lines.push(`  ${nodeId('t', table)}[("${label(table)}")]`);
  for (const file of [...files].sort()) lines.push(`  ${nodeId('f', file)}[/"${label(file)}"/]:::file`);
  for (const [id, l] of lineage) {
    for (const f of l.filesRead) lines.push(`  ${nodeId('f', f)} --> ${nodeId('s', id)}`);
    for (const t of l.reads) lines.push(`  ${nodeId('t', t)} --> ${nodeId('s', id)}`);
    for (const t of l.writes) lines.push(`  ${nodeId('s', id)} --> ${nodeId('t', t)}`);
    for (const f of l.filesWritten) lines.push(`  ${nodeId('s', id)} --> ${nodeId('f', f)}`);
  }
  for (const [id, assertions] of gates) {
    const names = assertions.map((a) => a.name);
    const text = `${assertions.length} assertion${assertions.length === 1 ? '' : 's'}: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`;
    lines.push(
      `  ${nodeId('g', id)}{{"${label(text)}"}}:::gate`,
      `  ${nodeId('g', id)} -. gates .-> ${nodeId('s', id)}`,
    );
  }
  lines.push(
    '  classDef step fill:#fff3c4,stroke:#b08800',
    '  classDef publish fill:#d8f5d0,stroke:#2e7d32',
    '  classDef file fill:#eef3ff,stroke:#5b7bb5',
    '  classDef gate fill:#fde2e2,stroke:#b23b3b',
    '```',
  );
  return lines;
}

/** The lineage with the publish targets added (what each reads, what its kind writes). */
function withTargets(
  project: Project,
  settings: Settings,
  lineage: ProjectLineage,
  targets: readonly PublishTarget[],
): Map<string, StepLineage> {
  const context = templateContext(settings, 'docs');
  const env = createEnvironment(project.root, context);
  const all = new Map(lineage);
  for (const target of targets) {
    const query = renderFile(env, project.root, target.file, {
      ...context,
      run_batches: '(NULL)',
      pending_batches: '(NULL)',
    } as TemplateContext).sql;
    const writes = kindOf(target.kind).writes(target);
    all.set(target.file, {
      ...lineageOf([query], undefined, lineage.home),
      filesWritten: [...writes.files],
      writes: [...writes.tables],
    });
  }
  return all;
}

/** The whole page; the same project gives the same text (no run data: `docs` never dirties a checkout).
 * `plan`: the project's display plan, with its flow. */
export function pipelineDoc(
  project: Project,
  settings: Settings,
  plan: RunPlan & { readonly flow: NonNullable<RunPlan['flow']> },
  targets: readonly PublishTarget[],
): string {
  const lineage = withTargets(project, settings, plan.flow.lineage, targets);
  const gates = { byStep: plan.flow.gates, after: ungated(plan) };
  const steps = project.steps.flatMap((s) =>
    s.files
      .map((f, i) => `| ${i === 0 ? s.id : ''} | \`${f}\` | ${description(project.root, f)} |`)
      .concat(
        s.script
          ? [`| | \`${s.script}\` | script: ${description(project.root, s.script).replace(/^\/\/\s*/, '')} |`]
          : [],
      ),
  );
  return [
    '# Pipeline',
    '',
    '_Generated by `./run.sh docs` from the SQL itself; do not edit by hand._',
    '',
    '## Lineage',
    '',
    'Steps (boxes), the tables (cylinders) and files (parallelograms) they read and write, the publish targets (green) and the assertions that gate each step (red, run before its COMMIT), found in the rendered SQL and in the SQL of step scripts.',
    '',
    ...flowchart(project, lineage, gates.byStep),
    '',
    '## Steps',
    '',
    '| step | file | description |',
    '|---|---|---|',
    ...steps,
    '',
    '## Assertions per step',
    '',
    '| step | gated by (run before its COMMIT) |',
    '|---|---|',
    ...project.steps.map((s) => `| ${s.id} | ${(gates.byStep.get(s.id) ?? []).map((a) => a.name).join(', ') || '-'} |`),
    `| after the steps | ${gates.after.map((a) => a.name).join(', ') || '-'} |`,
    '',
    '## Tables per step',
    '',
    '| step | writes | reads |',
    '|---|---|---|',
    ...[...lineage].map(
      ([id, l]) =>
        `| ${id} | ${[...l.writes, ...l.filesWritten].join(', ')} | ${[...l.reads, ...l.filesRead].join(', ')} |`,
    ),
    '',
    'Timings of each run are in `logs/` (`./run.sh logs`); this page depends only on the project, so it changes only when the SQL does.',
    '',
  ].join('\n');
}
