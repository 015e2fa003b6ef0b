// The run's first worker, started as the driver starts (before its own imports and discovery): the first
// pool in the same folder that needs a step worker takes it.
import { resolve } from 'node:path';
import { launchWorker, type WorkerProcess } from './worker-process.js';

let early: { readonly cwd: string; readonly worker: WorkerProcess } | undefined;

/** Starts the first worker now; its boot overlaps the driver's module loading and planning. */
export function prestartWorker(cwd: string): void {
  early ??= { cwd: resolve(cwd), worker: launchWorker(cwd, 'step') };
}

/** The prestarted worker for this folder, once (undefined when there is none). */
export function takePrestarted(cwd: string): WorkerProcess | undefined {
  if (early?.cwd !== resolve(cwd)) return undefined;
  const { worker } = early;
  early = undefined;
  return worker;
}

/** Stops a prestarted worker nobody took (a usage error, nothing to run): it would keep the driver alive. */
export function dropPrestartedWorker(): void {
  early?.worker.cancel();
  early = undefined;
}
