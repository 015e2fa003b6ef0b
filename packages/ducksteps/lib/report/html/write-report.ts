// Writes logs/report.html for the latest run in logs/ (after every run, and by `./run.sh report`).
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Project } from '../../model.js';
import type { Flow } from '../../results.js';
import { flowchart } from '../pipeline-doc.js';
import { reportLibraries } from './assets.js';
import { reportPage } from './page.js';
import { reportData } from './report-data.js';

/** Starts reading what every report inlines, so a run that calls this first finds it read by its end. */
export const prefetchReport = () => void reportLibraries();

/** Returns the report's project-relative path, or undefined when logs/ holds no run yet. `flow`: the run's
 * lineage and gates (the lineage section says it cannot be drawn without them). */
export async function writeReport(
  project: Project,
  flow?: Flow,
  logs = join(project.root, 'logs'),
): Promise<string | undefined> {
  const data = reportData(logs);
  if (!data) return undefined;
  const path = join(logs, 'report.html');
  const lineage = flow && flowchart(project, flow.lineage, flow.gates).slice(1, -1).join('\n');
  const [before, after] = reportPage(data, lineage);
  const temporary = `${path}.${process.pid}.tmp`; // runs sharing logs/ never write the same temporary file
  try {
    writeFileSync(temporary, Buffer.concat([Buffer.from(before), await reportLibraries(), Buffer.from(after)]));
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
  return relative(project.root, path);
}
