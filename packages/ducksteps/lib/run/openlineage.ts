// The run's OpenLineage listener, when the settings ask for events (DUCKSTEPS_OPENLINEAGE_URL or package.json
// "openlineage"): its job is named after the project (package.json "name", else the folder).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Project, Settings } from '../model.js';
import { openLineageSubscriber } from '../observe/openlineage/subscriber.js';
import { warehouseOf } from '../warehouse.js';

/** The project's name for its jobs. */
function projectName(root: string): string {
  try {
    const name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && name.trim() !== '') return name.trim();
  } catch {
    // no package.json: the folder's name
  }
  return basename(root);
}

/** The OpenLineage listener of run `runId`, or undefined when no events are asked for. */
export function lineageEvents(project: Project, settings: Settings, runId: string, warn: (line: string) => void) {
  if (!settings.openlineage) return undefined;
  const warehouse = warehouseOf(project.root, settings);
  return openLineageSubscriber({
    root: project.root,
    runId,
    settings: settings.openlineage,
    warehouse,
    project: projectName(project.root),
    warn,
  });
}
