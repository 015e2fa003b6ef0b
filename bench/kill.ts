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
  const children = (await execa('pgrep', ['-P', String(run.pid)], { reject: false })).stdout
    .split('\n')
    .filter(Boolean)
    .map(Number);
  // any of the run's workers: the one running a step, or one booting or waiting warm (the delay picks it, so a seed replays it)
  const victim = kill.target === 'driver' ? run.pid : children[Math.floor(kill.delay) % Math.max(1, children.length)];
  try {
    if (victim) process.kill(victim, 'SIGKILL');
  } catch {
    // it finished on its own just before: still a valid trial
  }
  await run.catch(() => undefined);
  // an orphaned worker notices its driver is gone at once, but one in a checkpoint finishes it first: the
  // database is read back only when every worker of the run is gone
  for (const deadline = Date.now() + 10_000; children.some(alive) && Date.now() < deadline;)
    await new Promise((resolve) => setTimeout(resolve, 50));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
