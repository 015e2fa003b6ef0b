// Writes logs/report.html for the latest run in logs/ (after every run, and by `./run.sh report`).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectGates } from '../../driver/gate-plan.js';
import { lineageOfProject } from '../../driver/lineage.js';
import { flowchart } from '../pipeline-doc.js';
import { reportPage } from './page.js';
import { reportData } from './report-data.js';
import type { Project, Settings } from '../../types.js';

async function lineageText(project: Project, settings: Settings): Promise<string | undefined> {
  try {
    const lineage = await lineageOfProject(project, settings);
    return flowchart(project, lineage, (await projectGates(project, settings, lineage)).byStep).slice(1, -1).join('\n');
  } catch {
    return undefined;
  }
}

/** Returns the report's project-relative path, or undefined when logs/ holds no run yet. */
export async function writeReport(project: Project, settings: Settings): Promise<string | undefined> {
  const data = reportData(project.root);
  if (!data) return undefined;
  const path = join(project.root, 'logs', 'report.html');
  writeFileSync(`${path}.tmp`, reportPage(data, await lineageText(project, settings)));
  renameSync(`${path}.tmp`, path);
  return 'logs/report.html';
}
