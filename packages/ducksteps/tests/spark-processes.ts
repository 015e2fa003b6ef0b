// The processes of a throwaway Spark cluster: each JVM in its own process group (so a kill takes its children,
// e.g. a worker's executors), logs into the cluster's folder, and a watchdog that kills every group and removes
// the folder if the test process dies without calling stop() (tap's timeout, a crash, kill -9).
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, openSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on loopback (the OS picks it; a race with another process is possible but rare). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
      .once('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
  });

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
      .once('connect', () => {
        socket.destroy();
        resolve(true);
      })
      .once('error', () => resolve(false));
  });

/** A pause between polls. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 250 ms until it is truthy; fails after `timeoutMs` with `what` and the log tail. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs: number,
  logs: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`Spark test cluster: ${what} not ready after ${timeoutMs / 1000} s\n${logs()}`);
    await sleep(250);
  }
}

/** A JVM started by spark-class/spark-submit (which exec java: the pid is the JVM's). */
export interface SparkProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly log: string;
  exited(): boolean;
}

/** Starts one Spark command in its own process group, output appended to <dir>/<name>.log. */
export function startProcess(
  dir: string,
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): SparkProcess {
  const log = join(dir, `${name}.log`);
  const out = openSync(log, 'a');
  const child = spawn(command, args, { cwd: dir, env, detached: true, stdio: ['ignore', out, out] });
  child.unref();
  let done = false;
  child.once('exit', () => {
    done = true;
  });
  appendFileSync(join(dir, 'pgids'), `${child.pid}\n`);
  return { name, child, log, exited: () => done };
}

/** Signals a process's whole group; true when it was still there. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (!pid) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits until a process has exited (after a kill), SIGKILLing its group if it takes longer than `graceMs`. */
export async function waitExit(process_: SparkProcess, graceMs = 10_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (!process_.exited() && Date.now() < deadline) await sleep(100);
  if (!process_.exited()) killGroup(process_.child.pid, 'SIGKILL');
  while (!process_.exited()) await sleep(50);
}

/** A detached shell that, once this Node process is gone, SIGKILLs every group listed in <dir>/pgids and
 * removes <dir>. It exits by itself when <dir> disappears (a normal stop). */
export function startWatchdog(dir: string): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null && [ -d "$1" ]; do sleep 1; done
[ -d "$1" ] || exit 0
for g in $(cat "$1/pgids" 2>/dev/null); do kill -KILL -- "-$g" 2>/dev/null; done
sleep 1; rm -rf "$1"`;
  spawn('bash', ['-c', script, 'spark-watchdog', dir], { detached: true, stdio: 'ignore' }).unref();
}

/** Pids of the executor JVMs running in this cluster (their working folder is inside `dir`). */
export function executorPids(dir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('CoarseGrainedExecutorBackend') &&
          readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)
        );
      } catch {
        return false;
      }
    });
}

/** The last lines of each log, for a failure message. */
export function logTails(dir: string, lines = 40): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .map((f) => {
      const text = readFileSync(join(dir, f), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      return `--- ${f} (last ${lines} lines) ---\n${text}`;
    })
    .join('\n');
}

/** A process's state and start time from /proc (Linux), undefined when it is gone or /proc is not there. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').pop()!.split(' ');
    return { state: fields[0], start: fields[19] }; // the 3rd and 22nd fields of stat(5)
  } catch {
    return undefined;
  }
}

/** A process named so that a later process given the same pid is not taken for it: pid:start-time. */
export const processIdentity = (pid: number): string => `${pid}:${procStat(pid)?.start ?? ''}`;

/** Whether the process `processIdentity` named still runs (not a zombie, not a new process with its pid). */
export function stillRunning(identity: string): boolean {
  const [pid, start] = identity.split(':');
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(Number(pid), 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  const now = procStat(Number(pid));
  return Boolean(now && now.state !== 'Z' && now.start === start);
}
