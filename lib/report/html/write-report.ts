// Writes logs/report.html for the latest run in logs/ (after every run, and by `./run.sh report`).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectGates } from '../../driver/gate-plan.js';
import { lineageOfProject } from '../../driver/lineage.js';
import { flowchart } from '../pipeline-doc.js';
import { reportLibraries } from './assets.js';
import { reportPage } from './page.js';
import { reportData } from './report-data.js';
import type { Flow, Project, Settings } from '../../types.js';

async function lineageText(project: Project, settings: Settings, known?: Flow): Promise<string | undefined> {
  try {
    const lineage = known?.lineage ?? (await lineageOfProject(project, settings));
    const gates = known?.gates ?? (await projectGates(project, settings, lineage)).byStep;
    return flowchart(project, lineage, gates).slice(1, -1).join('\n');
  } catch {
    return undefined;
  }
}

/** Starts reading what every report inlines, so a run that calls this first finds it read by its end. */
export const prefetchReport = () => void reportLibraries();

/** Returns the report's project-relative path, or undefined when logs/ holds no run yet. `flow`: the run's
 * lineage and gates, when it has them (else they are computed here). */
export async function writeReport(project: Project, settings: Settings, flow?: Flow): Promise<string | undefined> {
  const data = reportData(project.root);
  if (!data) return undefined;
  const path = join(project.root, 'logs', 'report.html');
  const [before, after] = reportPage(data, await lineageText(project, settings, flow));
  writeFileSync(`${path}.tmp`, Buffer.concat([Buffer.from(before), await reportLibraries(), Buffer.from(after)]));
  renameSync(`${path}.tmp`, path);
  return 'logs/report.html';
}
