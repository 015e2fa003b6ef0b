// Which pipeline a project is: its identity on a shared warehouse. The batch ledger, the publish ledger and the
// run lock of a lake are kept per pipeline, so two projects writing one lake (or one DuckDB file) never read
// each other's batches as their own. The identity is package.json "name" (what `init` writes, unique per
// project); a project without one is known by its folder's name, which changes when the folder moves.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Connection, Project, Settings } from '../model.js';
import { connectionTo } from '../warehouse.js';

/** The project's pipeline: package.json "name", else the project folder's name (`named` says which). */
export function pipelineOf(root: string): { readonly name: string; readonly named: boolean } {
  try {
    const name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && name.trim()) return { name: name.trim(), named: true };
  } catch {
    // no package.json (or not JSON: the settings report that): the folder's name
  }
  return { name: basename(root), named: false };
}

/** How the run's workers open the warehouse, on behalf of this project's pipeline. */
export const connectionOf = (project: Pick<Project, 'root'>, settings: Settings): Connection =>
  connectionTo(project.root, settings, pipelineOf(project.root).name);
