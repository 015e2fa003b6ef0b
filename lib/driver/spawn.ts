// Stage 3: run a job in its own worker subprocess and trust its answer, or explain how it died.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepError, StepJob, StepOutcome } from '../types.js';

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');

/** Node arguments for a worker: compiled JS (step scripts are precompiled too, see step-scripts.ts); tsx
 * only when ducksteps itself runs from its TypeScript sources. Source maps make a script's stack name its .ts. */
export function workerCommand(): string[] {
  const worker = join(dirname(here), '..', 'worker', fromSource ? 'main.ts' : 'main.js');
  return fromSource ? ['--enable-source-maps', '--import', import.meta.resolve('tsx'), worker] : ['--enable-source-maps', worker];
}

export interface WorkerOptions {
  /** Kill the worker after this long (the step is then `timed out`). */
  readonly timeoutMs?: number;
  /** Kill the worker when aborted (Ctrl-C); the step is then `interrupted`. */
  readonly signal?: AbortSignal;
  readonly heartbeatMs?: number;
  readonly onHeartbeat?: (elapsedMs: number) => void;
  readonly onOutput?: (line: string) => void;
  /** DuckDB's progress on a statement running longer than 2 s, about every second. */
  readonly onProgress?: (progress: StatementProgress) => void;
}

/** What a worker reports of a long statement. */
export interface StatementProgress {
  readonly file: string;
  readonly line: number;
  readonly index: number; // statement number within the file
  readonly count: number; // statements in the file
  readonly percentage: number; // -1 when DuckDB cannot tell
  readonly rows: number;
  readonly elapsedMs: number;
}

interface WorkerJob {
  readonly projectRoot: string;
  readonly resultPath: string;
  readonly script?: string; // a step script may print: its output ends with its process
}

export type WorkerAnswer<T> =
  | { readonly result: T }
  | { readonly died: StepError; readonly stopped?: 'timeout' | 'interrupt'; readonly elapsedMs: number };

function deathError(signal: string | undefined, exitCode: number | undefined, stderr: string): StepError {
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  const how = signal
    ? `the worker process was killed by ${signal}${signal === 'SIGKILL' ? ' (often the out-of-memory killer)' : ''}`
    : `the worker process exited with code ${exitCode} without a result`;
  const hint = signal === 'SIGKILL' ? 'if memory ran out, lower --memory-limit or --threads'
    : signal ? 'something outside ducksteps stopped the worker; run again'
    : 'the worker stopped without answering; its last lines are above — run again, and report it if it repeats';
  return { message: tail ? `${how}:\n${tail}` : how, hint };
}

/** A started worker process: it boots and imports DuckDB, then waits for its job on stdin. */
export interface Worker {
  run<T>(job: WorkerJob, options?: WorkerOptions): Promise<WorkerAnswer<T>>;
  cancel(): void;
  /** Settles once the worker has booted and waits for its job (true), or has died (false). */
  readonly ready: Promise<boolean>;
}

/** How a worker process ended. */
interface Exit {
  readonly exitCode?: number;
  readonly signal?: string;
  readonly stderr: string;
}

/** Keeps the last `limit` characters of a stream: enough to explain a death, bounded in memory. */
function tail(stream: NodeJS.ReadableStream | null, limit = 64 * 1024): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => { text = (text + chunk).slice(-limit); });
  return () => text;
}

/** What a worker is started for: every worker can run any job; a `publish` one also loads the PostgreSQL
 * client before its job arrives; a `lineage` one (parsing while the run plans) leaves the prestarted
 * worker to the first step. */
export type Purpose = 'step' | 'publish' | 'lineage';

let early: { readonly cwd: string; readonly worker: Worker } | undefined;

/** Starts the run's first worker as the driver starts, before its own imports and discovery; the next
 * startWorker() for the same folder gets it. */
export function prestartWorker(cwd: string): void {
  early ??= { cwd: resolve(cwd), worker: launch(cwd, 'step') };
}

/** Stops a prestarted worker nobody took (a usage error, nothing to run): it would keep the driver alive. */
export function dropPrestartedWorker(): void {
  early?.worker.cancel();
  early = undefined;
}

/** Starts a worker now, so its start-up overlaps whatever runs before its job is ready. */
export function startWorker(cwd: string, purpose: Purpose = 'step'): Worker {
  if (early?.cwd === resolve(cwd) && purpose === 'step') {
    const { worker } = early;
    early = undefined;
    return worker;
  }
  return launch(cwd, purpose);
}

/** Plain node:child_process: it is already loaded, so the first worker starts before the driver's imports. */
function launch(cwd: string, purpose: Purpose): Worker {
  // ipc: the worker watches the channel and dies with the driver, on every platform (see worker/main.ts).
  // stdout is not buffered: a step script's lines are passed on as they come, memory stays bounded.
  const child = spawn(process.execPath, [...workerCommand(), ...(purpose === 'publish' ? ['--publish'] : [])], { cwd, stdio: ['pipe', 'pipe', 'pipe', 'ipc'], windowsHide: true });
  const stderr = tail(child.stderr);
  child.stdin?.on('error', () => undefined); // a worker that died before reading its job: its exit says why
  const exited = new Promise<Exit>((resolve) => {
    child.on('error', (error) => resolve({ exitCode: 1, stderr: `${stderr()}${error.message}` }));
    child.on('close', (code, signal) => resolve({ exitCode: code ?? undefined, signal: signal ?? undefined, stderr: stderr().replace(/\n$/, '') }));
  });
  // what the worker says over IPC: it is ready, a long statement's progress, it has answered its job
  let onProgress: ((progress: StatementProgress) => void) | undefined;
  let onAnswered: (() => void) | undefined;
  const ready = new Promise<boolean>((resolve) => {
    child.on('message', (m: { kind?: string }) => {
      if (m?.kind === 'ready') resolve(true);
      else if (m?.kind === 'progress') onProgress?.(m as unknown as StatementProgress);
      else if (m?.kind === 'answered') onAnswered?.();
    });
    void exited.then(() => resolve(false));
  });
  let onLine: ((line: string) => void) | undefined;
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine?.(line);
  });
  return {
    ready,
    cancel: () => void child.kill('SIGKILL'),
    async run<T>(job: WorkerJob, options: WorkerOptions = {}): Promise<WorkerAnswer<T>> {
      const started = Date.now();
      let stopped: 'timeout' | 'interrupt' | undefined;
      const stop = (why: 'timeout' | 'interrupt') => { stopped ??= why; child.kill('SIGKILL'); };
      const onAbort = () => stop('interrupt');
      const heartbeat = options.onHeartbeat && setInterval(() => options.onHeartbeat!(Date.now() - started), options.heartbeatMs ?? 10_000);
      const deadline = options.timeoutMs && setTimeout(() => stop('timeout'), options.timeoutMs);
      if (options.signal?.aborted) stop('interrupt');
      options.signal?.addEventListener('abort', onAbort);
      onLine = options.onOutput;
      onProgress = options.onProgress;
      const answered = new Promise<void>((resolve) => { onAnswered = resolve; });
      try {
        child.stdin?.end(JSON.stringify(job));
        // a worker that wrote its answer has closed the database: the next step need not wait for its
        // process to exit (~10 ms), unless a step script's last output may still be on its way
        const first = await Promise.race([exited, answered.then(() => undefined)]);
        const done = first ?? (job.script || stopped ? await exited : undefined);
        if (partial && done) options.onOutput?.(partial);
        const elapsedMs = Date.now() - started;
        if (stopped || !existsSync(job.resultPath)) {
          const dead = done ?? (await exited);
          return { died: deathError(dead.signal, dead.exitCode, dead.stderr), stopped, elapsedMs };
        }
        return { result: JSON.parse(readFileSync(job.resultPath, 'utf8')) as T };
      } finally {
        onProgress = undefined;
        onAnswered = undefined;
        if (heartbeat) clearInterval(heartbeat);
        if (deadline) clearTimeout(deadline);
        options.signal?.removeEventListener('abort', onAbort);
        rmSync(job.resultPath, { force: true });
      }
    },
  };
}

/** Starts a worker and gives it the job at once. */
export function runWorker<T>(job: WorkerJob, options: WorkerOptions = {}): Promise<WorkerAnswer<T>> {
  return startWorker(job.projectRoot).run<T>(job, options);
}

/** Runs one step in a worker (pre-started or new); a dead worker is a failed step with the cause named. */
export async function executeStep(job: StepJob, options: WorkerOptions = {}, worker?: Worker): Promise<StepOutcome> {
  const ready = worker ?? startWorker(job.projectRoot);
  const answer = await ready.run<StepOutcome>(job, options);
  if ('result' in answer) return answer.result;
  const seconds = `${(answer.elapsedMs / 1000).toFixed(1)} s`;
  if (answer.stopped === 'timeout') {
    return { status: 'timed out', statements: [], error: { message: `the step timed out after ${seconds} (--step-timeout) and was stopped`, hint: 'make the step faster or raise --step-timeout' } };
  }
  if (answer.stopped === 'interrupt' || answer.died.message.includes('SIGINT')) {
    return { status: 'interrupted', statements: [], error: { message: `interrupted after ${seconds}` } };
  }
  return { status: 'failed', statements: [], error: answer.died };
}
