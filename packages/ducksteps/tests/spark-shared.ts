// One Spark cluster for all the test files of a run (a cluster takes a minute and 1.5 GB to start): the first
// file that needs one starts spark-daemon.ts, detached, which runs the cluster until the run ends; the others
// find it through <repo>/.tap/spark/state.json. Each file takes a lease for the schemas it builds (dropped
// first, so it starts clean; two files of the same schemas take turns) or, to inject faults, the whole
// cluster; the lease ends with the file. Faults go through the daemon, which heals the cluster afterwards.
// A file's timeout (its t.setTimeout) counts from its lease: neither the cluster's start nor another file's
// turn with the same schemas is its time.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import tap, { type Test } from 'tap';
import { SparkConnect } from '../lib/engines/spark/connect/index.js';
import { PKG, REPO } from './helpers.js';
import { processIdentity, sleep, stillRunning } from './spark-processes.js';

const STATE = join(REPO, '.tap', 'spark');
/** The longest a file waits for the cluster to start and for its turn (a failed start says so sooner). */
const WAIT_MS = 30 * 60_000;

/** The shared cluster as a test file sees it; faults need `{ faults: true }`. */
export interface SharedCluster {
  readonly url: string;
  readonly dir: string;
  readonly warehouse: string;
  killConnectServer(): Promise<void>;
  restartConnectServer(): Promise<void>;
  killWorker(index: number): Promise<void>;
  killExecutor(): Promise<number | undefined>; // the pid of the executor JVM killed -9
}

/** What a test file asks for: the schemas it builds, and whether it kills parts of the cluster. */
export interface ClusterNeeds {
  readonly schemas?: readonly string[];
  readonly faults?: boolean;
}

const readText = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};
const readJson = (file: string) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
};

/** Starts the daemon, detached, without tap's loaders in its environment. */
function startDaemon(): void {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS' && !/^(_TAPJS_|TAP)/.test(k)),
  );
  const out = openSync(join(STATE, 'daemon.log'), 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', join(PKG, 'tests', 'spark-daemon.ts'), STATE], {
    cwd: REPO,
    env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  writeFileSync(join(STATE, 'starting', 'daemon'), processIdentity(child.pid!));
  child.unref();
}

/** The running daemon's state, starting it when there is none (one starter, by an atomic mkdir). */
async function daemon(): Promise<{ identity: string; port: number }> {
  mkdirSync(STATE, { recursive: true });
  const since = Date.now();
  for (;;) {
    const state = readJson(join(STATE, 'state.json'));
    if (state && stillRunning(state.identity)) return state;
    if (state) rmSync(join(STATE, 'state.json'), { force: true }); // its daemon died
    const failed = join(STATE, 'failed');
    if (existsSync(failed) && statSync(failed).mtimeMs >= since - 1000)
      throw new Error(`the shared Spark test cluster did not start:\n${readFileSync(failed, 'utf8')}`);
    try {
      mkdirSync(join(STATE, 'starting'));
      rmSync(failed, { force: true });
      startDaemon();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const starter = readText(join(STATE, 'starting', 'daemon'));
      const age = Date.now() - (statSync(join(STATE, 'starting'), { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (!(starter ? stillRunning(starter) : age < 10_000))
        rmSync(join(STATE, 'starting'), { recursive: true, force: true });
    }
    await sleep(500);
  }
}

/** A connection to the daemon: messages out, one answer a line back, in order. */
function channel(socket: Socket) {
  const waiting: ((message: Record<string, unknown>) => void)[] = [];
  let buffer = '';
  socket.on('data', (chunk) => {
    buffer += String(chunk);
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      waiting.shift()?.(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
  });
  socket.on('close', () => waiting.splice(0).forEach((answer) => answer({ error: 'the daemon went away' })));
  return (message: object) =>
    new Promise<Record<string, unknown>>((resolve) => {
      waiting.push(resolve);
      socket.write(`${JSON.stringify(message)}\n`);
    });
}

/** The cluster for a test file: a lease on the shared one, held until the test `t` ends. */
export async function sparkClusterFor(
  t: Test,
  needs: ClusterNeeds = {},
): Promise<{ url: string; cluster: SharedCluster }> {
  const file = (process.argv[1] ?? 'a test').split('/').pop()!;
  const budget = tap.options.timeout;
  tap.setTimeout(WAIT_MS);
  for (let attempt = 1; ; attempt++) {
    const { port } = await daemon();
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    const ask = channel(socket);
    const suite = processIdentity(process.env.TAP === '1' ? process.ppid : process.pid);
    const schemas = [...(needs.schemas ?? [])];
    const granted = await ask({ op: 'lease', file, schemas, exclusive: Boolean(needs.faults), suite });
    if (granted.error) {
      socket.destroy();
      if (attempt < 3) continue; // it stopped as we came: start another
      throw new Error(`the shared Spark test cluster: ${String(granted.error)}`);
    }
    t.teardown(() => void socket.end());
    const url = String(granted.url);
    await dropSchemas(url, schemas);
    if (budget) tap.setTimeout(budget); // the file's own time starts now
    const fault = async (name: string, arg?: number) => {
      const answer = await ask({ op: 'fault', fault: name, arg });
      if (answer.error) throw new Error(String(answer.error));
      return answer.result as number | undefined;
    };
    return { url, cluster: clusterOf(granted, fault) };
  }
}

function clusterOf(granted: Record<string, unknown>, fault: (name: string, arg?: number) => Promise<unknown>) {
  return {
    url: String(granted.url),
    dir: String(granted.dir),
    warehouse: String(granted.warehouse),
    killConnectServer: async () => void (await fault('killConnectServer')),
    restartConnectServer: async () => void (await fault('restartConnectServer')),
    killWorker: async (i: number) => void (await fault('killWorker', i)),
    killExecutor: async () => (await fault('killExecutor')) as number | undefined,
  };
}

/** What a file builds starts from nothing: what an earlier file of the same schemas left is dropped. */
async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const spark = await SparkConnect.connect(url, { userAgent: 'ducksteps-tests' });
  try {
    for (const schema of schemas) await spark.sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await spark.close();
  }
}
