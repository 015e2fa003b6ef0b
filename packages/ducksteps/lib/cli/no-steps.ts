// A project with no steps yet (just made by `init --empty`, or emptied): every command says so and what to do,
// instead of reaching code that assumes at least one step.
import { DiscoveryError } from '../errors.js';
import type { Project } from '../model.js';

/** What every command says on a project without steps. */
export const NO_STEPS = 'no steps yet: ./run.sh new NAME';
const HINT = 'a step is a folder sql/NN_name/ of .sql files; ./run.sh new NAME makes the next one (README: Add a step)';

/** For commands that cannot do anything without a step (run, compile, watch, create-test): exit 2. */
export function requireSteps(project: Project): void {
  if (project.steps.length === 0) throw new DiscoveryError(NO_STEPS, { hint: HINT });
}

/** For commands that describe the project (test, list, docs, report): say so, and true when there is nothing
 * more to say. */
export function toldNoSteps(project: Project, write = (text: string) => process.stdout.write(`${text}\n`)): boolean {
  if (project.steps.length > 0) return false;
  write(`${NO_STEPS}\n  ${HINT}`);
  return true;
}
