// One worker process (docs/internals.md): spawned with an IPC channel, it boots, says `ready`, takes one
// Envelope on stdin, may send `progress`, writes its answer file, says `answered` and exits. The answer is
// trusted only from the file; a worker that dies without one is explained by its exit signal and stderr.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StepError } from '../model.js';
import { isWorkerMessage, type Envelope, type StatementProgress } from '../protocol.js';
import type { PublishOutcome } from '../results.js';

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');

/** Node arguments for a worker: compiled JS (step scripts are precompiled too); tsx only when ducksteps
 * itself runs from its TypeScript sources. Source maps make a script's stack name its .ts. */
export function workerCommand(): string[] {
  const worker = join(dirname(here), '..', 'worker', fromSource ? 'main.ts' : 'main.js');
  return fromSource
    ? ['--enable-source-maps', '--import', import.meta.resolve('tsx'), worker]
    : ['--enable-source-maps', worker];
}

/** What a worker is started for: every worker runs any job; a `publish` one also loads the publish kinds'
 * clients before its job arrives; a `lineage` one leaves the prestarted worker to the first step. */
export type Purpose = 'step' | 'publish' | 'lineage';

export interface RunOptions {
  /** Kill the worker after this long (the job is then `timeout`); with onDelivered, this long without a
   * publish target delivered (each target gets the whole time). */
  readonly timeoutMs?: number;
  /** Kill the worker when aborted (Ctrl-C); the job is then `interrupt`. */
  readonly signal?: AbortSignal;
  readonly heartbeatMs?: number;
  readonly onHeartbeat?: (elapsedMs: number) => void;
  readonly onOutput?: (line: string) => void;
  /** The engine's progress on a statement running longer than 2 s, about every second. */
  readonly onProgress?: (progress: StatementProgress) => void;
  /** The job waits for another program to release the warehouse's file (--lock-timeout). */
  readonly onWaiting?: (what: string, timeoutMs: number) => void;
  /** A publish job's target is done (its outcome), before the job answers. */
  readonly onDelivered?: (index: number, outcome: PublishOutcome) => void;
}

/** The answer read from the result file, or how the worker died without one. */
export type WorkerAnswer<T> =
  | { readonly result: T }
  | { readonly died: StepError; readonly stopped?: 'timeout' | 'interrupt'; readonly elapsedMs: number };

/** A started worker process. */
export interface WorkerProcess {
  /** Settles once the worker has booted and waits for its job (true), or has died (false). */
  readonly ready: Promise<boolean>;
  run<T>(envelope: Envelope, options?: RunOptions): Promise<WorkerAnswer<T>>;
  cancel(): void;
}

interface Exit {
  readonly exitCode?: number;
  readonly signal?: string;
  readonly stderr: string;
}

function deathError({ signal, exitCode, stderr }: Exit): StepError {
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  const how = signal
    ? `the worker process was killed by ${signal}${signal === 'SIGKILL' ? ' (often the out-of-memory killer)' : ''}`
    : `the worker process exited with code ${exitCode} without a result`;
  const hint =
    signal === 'SIGKILL'
      ? 'if memory ran out, lower --memory-limit or --threads'
      : signal
        ? 'something outside ducksteps stopped the worker; run again'
        : 'the worker stopped without answering; its last lines are above — run again, and report it if it repeats';
  return { message: tail ? `${how}:\n${tail}` : how, hint };
}

/** Keeps the last `limit` characters of a stream: enough to explain a death, bounded in memory. */
function tail(stream: NodeJS.ReadableStream | null, limit = 64 * 1024): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-limit);
  });
  return () => text;
}

/** Calls `onLine` for each complete line of a stream; `rest()` is the unfinished last one. */
function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void) {
  let partial = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (text: string) => {
    const all = (partial + text).split('\n');
    partial = all.pop() ?? '';
    for (const line of all) onLine(line);
  });
  return () => partial;
}

/** Starts a worker process now (plain node:child_process: already loaded, so the first worker starts before
 * the driver's own imports). ipc: the worker dies with the driver on every platform (see worker/main.ts).
 * detached (a process group of its own, POSIX): a Ctrl-C or `kill -INT -PGID` reaches the driver only, which
 * stops its workers itself — a worker still booting, before it can ignore signals, would die of one. */
export function launchWorker(cwd: string, purpose: Purpose = 'step'): WorkerProcess {
  const child = spawn(process.execPath, [...workerCommand(), ...(purpose === 'publish' ? ['--publish'] : [])], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe', 'ipc'],
    windowsHide: true,
    detached: process.platform !== 'win32',
  });
  const stderr = tail(child.stderr);
  child.stdin?.on('error', () => undefined); // a worker that died before reading its job: its exit says why
  const exited = new Promise<Exit>((resolve) => {
    child.on('error', (error) => resolve({ exitCode: 1, stderr: `${stderr()}${error.message}` }));
    child.on('close', (code, signal) =>
      resolve({ exitCode: code ?? undefined, signal: signal ?? undefined, stderr: stderr().replace(/\n$/, '') }),
    );
  });
  let onProgress: RunOptions['onProgress'];
  let onWaiting: RunOptions['onWaiting'];
  let onDelivered: RunOptions['onDelivered'];
  let onAnswered: (() => void) | undefined;
  let onLine: RunOptions['onOutput'];
  const ready = new Promise<boolean>((resolve) => {
    child.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.kind === 'ready') resolve(true);
      else if (message.kind === 'progress') onProgress?.(message.progress);
      else if (message.kind === 'waiting') onWaiting?.(message.what, message.timeoutMs);
      else if (message.kind === 'delivered') onDelivered?.(message.index, message.outcome);
      else onAnswered?.();
    });
    void exited.then(() => resolve(false));
  });
  const partial = lines(child.stdout, (line) => onLine?.(line));
  const run = async <T>(envelope: Envelope, options: RunOptions = {}): Promise<WorkerAnswer<T>> => {
    const started = Date.now();
    let stopped: 'timeout' | 'interrupt' | undefined;
    const stop = (why: 'timeout' | 'interrupt') => {
      stopped ??= why;
      child.kill('SIGKILL');
    };
    const onAbort = () => stop('interrupt');
    const heartbeat =
      options.onHeartbeat &&
      setInterval(() => options.onHeartbeat!(Date.now() - started), options.heartbeatMs ?? 10_000);
    let deadline = options.timeoutMs && setTimeout(() => stop('timeout'), options.timeoutMs);
    if (options.signal?.aborted) stop('interrupt');
    options.signal?.addEventListener('abort', onAbort);
    onLine = options.onOutput;
    onProgress = options.onProgress;
    onWaiting = options.onWaiting;
    onDelivered =
      options.onDelivered &&
      ((index, outcome) => {
        if (deadline) clearTimeout(deadline);
        if (!stopped && options.timeoutMs) deadline = setTimeout(() => stop('timeout'), options.timeoutMs);
        options.onDelivered!(index, outcome);
      });
    const answered = new Promise<void>((resolve) => {
      onAnswered = resolve;
    });
    try {
      child.stdin?.end(JSON.stringify(envelope));
      // a worker that wrote its answer has closed the warehouse: the next step need not wait for its process
      // to exit (~10 ms), unless a step script's last output may still be on its way
      const first = await Promise.race([exited, answered.then(() => undefined)]);
      const script = envelope.job.kind === 'step' && envelope.job.script;
      const done = first ?? (script || stopped ? await exited : undefined);
      if (partial() && done) options.onOutput?.(partial());
      if (stopped || !existsSync(envelope.resultPath)) {
        return { died: deathError(done ?? (await exited)), stopped, elapsedMs: Date.now() - started };
      }
      return { result: JSON.parse(readFileSync(envelope.resultPath, 'utf8')) as T };
    } finally {
      onProgress = undefined;
      onWaiting = undefined;
      onDelivered = undefined;
      onAnswered = undefined;
      if (heartbeat) clearInterval(heartbeat);
      if (deadline) clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      rmSync(envelope.resultPath, { force: true });
    }
  };
  return { ready, run, cancel: () => void child.kill('SIGKILL') };
}
