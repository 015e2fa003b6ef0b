// Finds the unit tests: tests/unit/NN_name.yaml (or .yml), one file per step, named after the step's folder.
// A file named after no step is one test in error, saying which step it might mean.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FixtureError } from '../errors.js';
import type { Project } from '../model.js';
import type { UnitTest } from '../unit-tests.js';
import { DEFAULT_NOW, readFixture } from './fixture.js';

export const UNIT_DIR = 'tests/unit';

/** The fixture files of tests/unit/, sorted. */
export function unitTestFiles(root: string): string[] {
  if (!existsSync(join(root, UNIT_DIR))) return [];
  return readdirSync(join(root, UNIT_DIR))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => `${UNIT_DIR}/${f}`);
}

/** A file whose tests cannot run: one test in error. */
function fileError(file: string, step: string, error: FixtureError): UnitTest {
  return {
    name: '(file)',
    step,
    file,
    line: 1,
    vars: {},
    now: DEFAULT_NOW,
    timeZone: 'UTC',
    files: [],
    given: [],
    expect: [],
    error: error.toStepError(),
  };
}

/** Every unit test of the project, in step order then file order. */
export function discoverUnitTests(project: Project): UnitTest[] {
  return unitTestFiles(project.root)
    .flatMap((file) => {
      const id = file.slice(UNIT_DIR.length + 1).replace(/\.ya?ml$/, '');
      const step = project.steps.find((s) => s.id === id);
      if (!step) {
        const near = project.steps.find(
          (s) => s.name === id.replace(/^\d+_/, '') || s.number === Number(id.split('_')[0]),
        );
        return [
          fileError(
            file,
            id,
            new FixtureError(`no step ${id}: a unit test file is named after the step it tests`, {
              file,
              hint: near
                ? `did you mean ${UNIT_DIR}/${near.id}.yaml?`
                : `steps: ${project.steps.map((s) => s.id).join(', ')}`,
            }),
          ),
        ];
      }
      let source: string;
      try {
        source = readFileSync(join(project.root, file), 'utf8');
      } catch (cause) {
        return [
          fileError(
            file,
            id,
            new FixtureError(`cannot read the file (${(cause as NodeJS.ErrnoException).code ?? 'unreadable'})`, {
              file,
              hint: 'check that the file is readable (chmod a+r)',
            }),
          ),
        ];
      }
      return readFixture(file, source, step.id);
    })
    .sort((a, b) => (a.step < b.step ? -1 : a.step > b.step ? 1 : 0));
}
