// The project's lineage for the driver and the commands: rendered texts, DuckDB's parser (cached), and the
// text scan where the parser cannot tell.
import { statementsOf, type StepLineage } from '../render/lineage.js';
import { projectLineage, projectTexts } from '../render/project-lineage.js';
import type { TemplateContext } from '../render/template.js';
import { parsedReads } from './lineage-reads.js';
import type { Project, Settings } from '../types.js';

/** Step id -> what it reads and writes. Throws TemplateError when a step does not render. */
export async function lineageOfProject(project: Project, settings: Settings, context?: TemplateContext): Promise<Map<string, StepLineage>> {
  const texts = projectTexts(project, settings, context);
  const parsed = await parsedReads(project.root, statementsOf([...texts.values()].flat()));
  return projectLineage(texts, parsed);
}
