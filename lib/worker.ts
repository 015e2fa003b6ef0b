// Subprocess entry for one step: read the job from stdin, run it, write one JSON result file.
import { readFileSync, writeFileSync } from 'node:fs';
import { runStep } from './step-runner.js';
import type { StepJob } from './types.js';

const job = JSON.parse(readFileSync(0, 'utf8')) as StepJob;
const outcome = await runStep(job);
writeFileSync(job.resultPath, JSON.stringify(outcome));
