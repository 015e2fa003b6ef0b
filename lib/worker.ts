// Subprocess entry: read one job (a step, or the assertions) from stdin, run it, write one JSON result file.
import { readFileSync, writeFileSync } from 'node:fs';
import type { AssertJob, ParseJob, StepJob } from './types.js';

const job = JSON.parse(readFileSync(0, 'utf8')) as StepJob | AssertJob | ParseJob;
const result =
  job.kind === 'step' ? await (await import('./step-runner.js')).runStep(job)
  : job.kind === 'assert' ? await (await import('./assert-runner.js')).runAssertions(job)
  : await (await import('./parse-runner.js')).parseFiles(job);
writeFileSync(job.resultPath, JSON.stringify(result));
