// Writes logs/report.html for the latest run in logs/ (after every run, and by `./run.sh report`).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectGates } from '../../driver/gate-plan.js';
import { projectLineage } from '../../render/project-lineage.js';
import { flowchart } from '../pipeline-doc.js';
import { reportPage } from './page.js';
import { reportData } from './report-data.js';
import type { Project, Settings } from '../../types.js';

function lineageText(project: Project, settings: Settings): string | undefined {
  try {
    return flowchart(project, projectLineage(project, settings), projectGates(project, settings).byStep).slice(1, -1).join('\n');
  } catch {
    return undefined;
  }
}

/** Returns the report's project-relative path, or undefined when logs/ holds no run yet. */
export function writeReport(project: Project, settings: Settings): string | undefined {
  const data = reportData(project.root);
  if (!data) return undefined;
  const path = join(project.root, 'logs', 'report.html');
  writeFileSync(`${path}.tmp`, reportPage(data, lineageText(project, settings)));
  renameSync(`${path}.tmp`, path);
  return 'logs/report.html';
}
