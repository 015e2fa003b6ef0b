// Stage 3: run one step in its own subprocess and trust its answer, or explain how it died.
import { execa } from 'execa';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepJob, StepOutcome } from './types.js';

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');

/** Node arguments for a worker: compiled JS normally; tsx only for a step script or a source checkout. */
export function workerCommand(needsTypeScript: boolean): string[] {
  const worker = join(dirname(here), fromSource ? 'worker.ts' : 'worker.js');
  return needsTypeScript || fromSource ? ['--import', import.meta.resolve('tsx'), worker] : [worker];
}

export interface ExecuteOptions {
  readonly heartbeatMs?: number;
  readonly onHeartbeat?: (elapsedMs: number) => void;
  readonly onOutput?: (line: string) => void;
}

function died(result: { signal?: string; exitCode?: number; stderr: string }): StepOutcome {
  const tail = result.stderr.trim().split('\n').slice(-5).join('\n');
  const how = result.signal
    ? `the step's process was killed by ${result.signal}${result.signal === 'SIGKILL' ? ' (often the out-of-memory killer)' : ''}`
    : `the step's process exited with code ${result.exitCode} without a result`;
  return {
    status: 'failed',
    statements: [],
    error: {
      message: tail ? `${how}:\n${tail}` : how,
      hint: 'nothing of this step was committed; lower --memory-limit/--threads if memory ran out, then run again',
    },
  };
}

/** Spawns the worker for one step and waits for its result file. */
export async function executeStep(job: StepJob, options: ExecuteOptions = {}): Promise<StepOutcome> {
  const started = Date.now();
  const timer = options.onHeartbeat
    ? setInterval(() => options.onHeartbeat!(Date.now() - started), options.heartbeatMs ?? 10_000)
    : undefined;
  try {
    const result = await execa(process.execPath, workerCommand(Boolean(job.script)), {
      input: JSON.stringify(job),
      cwd: job.projectRoot,
      reject: false,
      stripFinalNewline: true,
    });
    for (const line of result.stdout ? result.stdout.split('\n') : []) options.onOutput?.(line);
    if (!existsSync(job.resultPath)) return died({ signal: result.signal, exitCode: result.exitCode, stderr: result.stderr });
    return JSON.parse(readFileSync(job.resultPath, 'utf8')) as StepOutcome;
  } finally {
    if (timer) clearInterval(timer);
    rmSync(job.resultPath, { force: true });
  }
}
