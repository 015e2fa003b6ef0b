// One measured run of a command: bench/peers/measure.py spawns it and reports wall time, CPU and peak RSS
// of its whole process tree (see that file for how each is taken).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Sample {
  readonly wall: number; // s, spawn to the command's exit
  readonly cpu: number; // s, user + sys of the process tree
  readonly treeMb: number; // peak of the summed RSS of the tree, sampled every 20 ms
  readonly procMb: number; // largest single-process peak RSS
}

export interface Command {
  readonly cwd: string;
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs the command under measure.py; throws with the tail of its output when it exits non-zero. */
export function measure(python: string, command: Command, logPrefix: string): Sample {
  const [out, err] = [`${logPrefix}.out`, `${logPrefix}.err`];
  const json = execFileSync(python, [join(import.meta.dirname, 'measure.py'), out, err, '--', ...command.argv], {
    cwd: command.cwd,
    encoding: 'utf8',
    env: { ...process.env, ...command.env },
    maxBuffer: 1 << 20,
  });
  const r = JSON.parse(json);
  if (r.exit !== 0) {
    const tail = (f: string) => readFileSync(f, 'utf8').split('\n').slice(-25).join('\n');
    throw new Error(
      `${command.argv.join(' ')} (in ${command.cwd}) exited ${r.exit}\n--- stdout\n${tail(out)}\n--- stderr\n${tail(err)}`,
    );
  }
  return { wall: r.wall_s, cpu: r.cpu_s, treeMb: r.peak_tree_mb, procMb: r.peak_proc_mb };
}
