// The shared test Spark cluster's own process, started detached by the first test file that needs a cluster
// (spark-shared.ts): it starts the cluster, writes <state dir>/state.json (its URL, the control port), and
// serves leases and faults to test files, one JSON message a line over a loopback TCP connection. A lease
// lasts as long as its connection, so a test file that dies releases it. It stops the cluster and exits once
// no lease is open and either every test run that used it (tap's runner) has ended, or none has used it for
// IDLE_MS (the rest of the suite then has the memory back; longer than any gap between the Spark files, such
// as spark-settings.test.ts, which needs no cluster). Its log: <state dir>/daemon.log.
//   node --import tsx tests/spark-daemon.ts <state dir>
import { appendFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { type SparkCluster, startSparkCluster } from './spark-cluster.js';
import { type LeaseRequest, Leases } from './spark-leases.js';
import { processIdentity, stillRunning } from './spark-processes.js';

const stateDir = process.argv[2];
const IDLE_MS = Number(process.env.DUCKSTEPS_SPARK_IDLE_MS) || 5 * 60_000;
const log = (line: string) => appendFileSync(join(stateDir, 'daemon.log'), `${new Date().toISOString()} ${line}\n`);

let cluster: SparkCluster;
try {
  cluster = await startSparkCluster();
} catch (error) {
  writeFileSync(join(stateDir, 'failed'), String((error as Error)?.stack ?? error));
  rmSync(join(stateDir, 'starting'), { recursive: true, force: true });
  process.exit(1);
}
log(`cluster ready in ${(cluster.startMs / 1000).toFixed(1)} s at ${cluster.url} (${cluster.dir})`);

const faults: Record<string, (arg?: number) => unknown> = {
  killConnectServer: () => cluster.killConnectServer('SIGKILL'),
  restartConnectServer: () => cluster.restartConnectServer(),
  killWorker: (i) => cluster.killWorker(i ?? 0),
  killExecutor: () => cluster.killExecutor(),
};
const leases = new Leases(async () => {
  log('healing after an exclusive lease');
  await cluster.heal().catch((error: unknown) => log(`heal failed: ${String(error)}`));
});
const suites = new Set<string>();
let sockets = 0;
let lastUsed = Date.now();

/** One test file's connection: its lease request, then its faults, each answered on a line. */
function serve(socket: Socket): void {
  sockets++;
  let lease: number | undefined;
  let request: LeaseRequest | undefined;
  const send = (message: object) => socket.write(`${JSON.stringify(message)}\n`);
  const handle = async (message: { op: string; fault?: string; arg?: number } & LeaseRequest) => {
    if (message.op === 'lease') {
      request = message;
      suites.add(message.suite);
      log(`${message.file} asks for ${message.exclusive ? 'the whole cluster' : `schemas ${message.schemas}`}`);
      lease = leases.request(message, () => send({ granted: true, ...info() }));
    } else if (!request?.exclusive || !faults[message.fault ?? ''])
      send({ error: `fault ${message.fault}: unknown, or the lease is not exclusive` });
    else
      await Promise.resolve(faults[message.fault!](message.arg)).then(
        (result) => send({ result: result ?? null }),
        (error: unknown) => send({ error: String(error) }),
      );
  };
  let buffer = '';
  socket.on('data', (chunk) => {
    buffer += String(chunk);
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      void handle(JSON.parse(line));
    }
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    sockets--;
    lastUsed = Date.now();
    if (lease !== undefined) leases.release(lease);
    if (request) log(`${request.file} is done`);
  });
}

const info = () => ({ url: cluster.url, dir: cluster.dir, warehouse: cluster.warehouse });
const server = createServer(serve);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  const state = join(stateDir, 'state.json');
  writeFileSync(`${state}.tmp`, JSON.stringify({ identity: processIdentity(process.pid), port, ...info() }));
  renameSync(`${state}.tmp`, state);
  rmSync(join(stateDir, 'starting'), { recursive: true, force: true });
});

let stopping = false;
/** No new files: the state goes first (a file arriving now starts a cluster of its own), then the cluster. */
async function stop(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`stopping: ${why}`);
  rmSync(join(stateDir, 'state.json'), { force: true });
  server.close();
  await cluster.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM')).on('SIGINT', () => void stop('SIGINT'));
setInterval(() => {
  if (sockets > 0 || !leases.idle) return;
  if (suites.size > 0 && [...suites].every((suite) => !stillRunning(suite)))
    void stop('the test runs that used it ended');
  else if (Date.now() - lastUsed > IDLE_MS) void stop(`unused for ${IDLE_MS / 1000} s`);
}, 1000);
