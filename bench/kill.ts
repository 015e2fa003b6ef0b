// The crash tests' one move: start a build, wait, SIGKILL its driver or the step worker it is running.
import { execa } from 'execa';
import { ducksteps } from './scenarios.js';

export interface Kill {
  readonly target: 'worker' | 'driver';
  readonly delay: number; // ms after the start
}

/** Runs ducksteps in `dir` and kills one of its processes after `delay` ms; resolves once it is gone. */
export async function runAndKill(dir: string, args: string[], kill: Kill): Promise<void> {
  const run = ducksteps(dir, args);
  run.catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, kill.delay));
  const victim = kill.target === 'driver' ? run.pid : Number((await execa('pgrep', ['-P', String(run.pid)], { reject: false })).stdout.split('\n')[0]);
  try {
    if (victim) process.kill(victim, 'SIGKILL');
  } catch {
    // it finished on its own just before: still a valid trial
  }
  await run.catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 300)); // an orphaned worker notices its driver is gone at once
}
