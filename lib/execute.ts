// Stage 3: run a job in its own worker subprocess and trust its answer, or explain how it died.
import { execa } from 'execa';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepError, StepJob, StepOutcome } from './types.js';

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');

/** Node arguments for a worker: compiled JS normally; tsx only for a step script or a source checkout. */
export function workerCommand(needsTypeScript: boolean): string[] {
  const worker = join(dirname(here), fromSource ? 'worker.ts' : 'worker.js');
  return needsTypeScript || fromSource ? ['--import', import.meta.resolve('tsx'), worker] : [worker];
}

export interface WorkerOptions {
  readonly heartbeatMs?: number;
  readonly onHeartbeat?: (elapsedMs: number) => void;
  readonly onOutput?: (line: string) => void;
}

interface WorkerJob {
  readonly projectRoot: string;
  readonly resultPath: string;
}

export type WorkerAnswer<T> = { readonly result: T } | { readonly died: StepError };

function deathError(signal: string | undefined, exitCode: number | undefined, stderr: string): StepError {
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  const how = signal
    ? `the worker process was killed by ${signal}${signal === 'SIGKILL' ? ' (often the out-of-memory killer)' : ''}`
    : `the worker process exited with code ${exitCode} without a result`;
  return {
    message: tail ? `${how}:\n${tail}` : how,
    hint: 'nothing of it was committed; if memory ran out, lower --memory-limit or --threads, then run again',
  };
}

/** Spawns a worker with the job on stdin and reads its one JSON result file. */
export async function runWorker<T, J extends WorkerJob = WorkerJob>(job: J, needsTypeScript: boolean, options: WorkerOptions = {}): Promise<WorkerAnswer<T>> {
  const started = Date.now();
  const timer = options.onHeartbeat
    ? setInterval(() => options.onHeartbeat!(Date.now() - started), options.heartbeatMs ?? 10_000)
    : undefined;
  try {
    const run = await execa(process.execPath, workerCommand(needsTypeScript), {
      input: JSON.stringify(job), cwd: job.projectRoot, reject: false, stripFinalNewline: true,
    });
    for (const line of run.stdout ? run.stdout.split('\n') : []) options.onOutput?.(line);
    if (!existsSync(job.resultPath)) return { died: deathError(run.signal, run.exitCode, run.stderr) };
    return { result: JSON.parse(readFileSync(job.resultPath, 'utf8')) as T };
  } finally {
    if (timer) clearInterval(timer);
    rmSync(job.resultPath, { force: true });
  }
}

/** Runs one step's worker; a dead worker is a failed step with the cause named. */
export async function executeStep(job: StepJob, options: WorkerOptions = {}): Promise<StepOutcome> {
  const answer = await runWorker<StepOutcome>(job, Boolean(job.script), options);
  return 'result' in answer ? answer.result : { status: 'failed', statements: [], error: answer.died };
}
