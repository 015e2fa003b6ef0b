// A throwaway Spark cluster on loopback for the spark engine's tests: a standalone Master, N Workers and the
// Spark Connect server (Hive catalog in an embedded Derby metastore inside the cluster's temp folder, so tables
// and views survive a restart of the Connect server), with the faults a test injects and a heal() that undoes
// them. Spark itself comes from .ci/provision-spark.sh. The test files share one (spark-shared.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SparkConnect } from '../lib/engines/spark/connect/index.js';
import { REPO } from './helpers.js';
import * as proc from './spark-processes.js';

/** Sizes and extra settings of a test cluster (defaults fit 2 cores and a few GB). */
export interface SparkClusterOptions {
  readonly workers?: number; // default 2
  readonly workerCores?: number; // per worker, default 1
  readonly workerMemory?: string; // per worker, default '1g'
  readonly executorMemory?: string; // default '512m'
  readonly driverMemory?: string; // the Connect server's JVM, default '768m'
  readonly conf?: Readonly<Record<string, string>>; // extra --conf for the Connect server
  readonly javaOptions?: string; // for every JVM; default JAVA_OPTIONS
}

/** C1-only JIT and the serial GC: on 2 cores this halves the cluster's start (43 s -> 21 s measured) and
 * speeds the short statements of tests; a long-running production cluster wants neither. */
export const JAVA_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

/** A running cluster and the faults a test can inject into it. */
export interface SparkCluster {
  readonly url: string; // sc://127.0.0.1:PORT
  readonly warehouse: string; // spark.sql.warehouse.dir
  readonly dir: string; // the temp folder holding everything (logs, metastore, warehouse, work dirs)
  readonly startMs: number; // how long start took
  stop(): Promise<void>;
  killConnectServer(signal?: NodeJS.Signals): Promise<void>;
  restartConnectServer(): Promise<void>;
  killWorker(index: number): Promise<void>;
  killExecutor(): number | undefined; // kill -9 one executor JVM; its pid
  /** Undoes the faults: dead workers and a dead Connect server started again, every executor running. */
  heal(): Promise<void>;
  logs(): string;
}

/** The Spark version .ci/provision-spark.sh pins. */
export const SPARK_VERSION = '4.3.0';

/** Why Spark tests cannot run here (no Java), or undefined. */
export function sparkSkipReason(): string | undefined {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'java is not installed: Spark needs Java 17+ (apt-get install openjdk-17-jre-headless)';
  }
}

/** The provisioned Spark home (.cache/spark/spark-X), provisioning it first when missing (downloads 456 MB once). */
export function sparkHome(): string {
  const home = join(REPO, '.cache', 'spark', `spark-${SPARK_VERSION}`);
  if (!existsSync(join(home, '.provisioned')))
    execFileSync('bash', [join(REPO, '.ci', 'provision-spark.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  return home;
}

/** spark-submit's arguments for the Connect server: loopback only, no UI, Hive catalog in Derby inside `dir`. */
function connectServerArgs(
  dir: string,
  master: string,
  port: number,
  options: SparkClusterOptions,
  java: string,
): string[] {
  const conf: Record<string, string> = {
    'spark.connect.grpc.binding.address': '127.0.0.1',
    'spark.connect.grpc.binding.port': String(port),
    'spark.driver.host': '127.0.0.1',
    'spark.driver.bindAddress': '127.0.0.1',
    'spark.ui.enabled': 'false',
    'spark.executor.memory': options.executorMemory ?? '512m',
    'spark.executor.cores': '1',
    'spark.sql.catalogImplementation': 'hive',
    'spark.sql.warehouse.dir': join(dir, 'warehouse'),
    'spark.hadoop.javax.jdo.option.ConnectionURL': `jdbc:derby:;databaseName=${join(dir, 'metastore_db')};create=true`,
    'spark.driver.extraJavaOptions': `-Dderby.system.home=${join(dir, 'derby')} ${java}`,
    'spark.executor.extraJavaOptions': java,
    'spark.sql.session.timeZone': 'UTC',
    'spark.sql.shuffle.partitions': '4',
    ...options.conf,
  };
  return [
    '--class',
    'org.apache.spark.sql.connect.service.SparkConnectServer',
    '--master',
    master,
    '--name',
    'ducksteps-test',
    '--driver-memory',
    options.driverMemory ?? '768m',
    ...Object.entries(conf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]),
    'spark-internal',
  ];
}

/** Polls until the Connect server answers a real request (connect() asks its Spark version); fails if it exits. */
async function waitForConnect(url: string, connect: () => proc.SparkProcess, logs: () => string): Promise<void> {
  await proc.waitFor(
    'the Spark Connect server',
    async () => {
      if (connect().exited()) throw new Error(`the Spark Connect server exited while starting\n${logs()}`);
      const session = await SparkConnect.connect(url, { timeoutMs: 5_000, retry: { maxRetries: 0 } }).catch(
        () => undefined,
      );
      await session?.close();
      return Boolean(session);
    },
    180_000,
    logs,
  );
}

/** Starts the Master, then the Workers and the Connect server in parallel; resolves once a real request
 * succeeds and the executors run. On failure everything started is stopped before it throws. */
export async function startSparkCluster(options: SparkClusterOptions = {}): Promise<SparkCluster> {
  const started = Date.now();
  const home = sparkHome();
  const dir = mkdtempSync(join(tmpdir(), 'ducksteps-spark-'));
  for (const sub of ['conf', 'warehouse', 'derby']) mkdirSync(join(dir, sub));
  proc.startWatchdog(dir);
  const java = options.javaOptions ?? JAVA_OPTIONS;
  const env = {
    ...process.env,
    SPARK_HOME: home,
    SPARK_LOCAL_IP: '127.0.0.1',
    SPARK_LOCAL_HOSTNAME: '127.0.0.1',
    SPARK_CONF_DIR: join(dir, 'conf'),
    SPARK_LOG_DIR: dir,
    SPARK_DAEMON_MEMORY: '256m',
    SPARK_DAEMON_JAVA_OPTS: java,
  };
  const spark = (name: string, script: string, args: string[], extra = {}) =>
    proc.startProcess(dir, name, join(home, 'bin', script), args, { ...env, ...extra });
  const [masterPort, connectPort] = [await proc.freePort(), await proc.freePort()];
  const master = `spark://127.0.0.1:${masterPort}`;
  const url = `sc://127.0.0.1:${connectPort}`;
  const logs = () => proc.logTails(dir);
  const waitForExecutors = () =>
    proc.waitFor('the executors', () => proc.executorPids(dir).length >= Math.min(workers.length, 2), 120_000, logs);

  const masterProcess = spark('master', 'spark-class', [
    'org.apache.spark.deploy.master.Master',
    '--host',
    '127.0.0.1',
    '--port',
    String(masterPort),
    '--webui-port',
    '0',
  ]);
  const workers: proc.SparkProcess[] = [];
  const startWorker = (i: number) =>
    spark(`worker${i}`, 'spark-class', [
      'org.apache.spark.deploy.worker.Worker',
      '--host',
      '127.0.0.1',
      '--webui-port',
      '0',
      '--cores',
      String(options.workerCores ?? 1),
      '--memory',
      options.workerMemory ?? '1g',
      '--work-dir',
      join(dir, `work${i}`),
      master,
    ]);
  const submitArgs = connectServerArgs(dir, master, connectPort, options, java);
  // spark-submit sizes the Connect server's JVM (like the thrift server's) by SPARK_DAEMON_MEMORY, not --driver-memory
  const startConnect = () =>
    spark('connect', 'spark-submit', submitArgs, { SPARK_DAEMON_MEMORY: options.driverMemory ?? '768m' });
  let connect: proc.SparkProcess | undefined;
  const stop = async () => {
    const all = [connect, ...workers, masterProcess].filter((p): p is proc.SparkProcess => Boolean(p));
    for (const p of all) proc.killGroup(p.child.pid, 'SIGTERM');
    await Promise.all(all.map((p) => proc.waitExit(p, 15_000)));
    for (const pid of proc.executorPids(dir)) proc.killGroup(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await proc.waitFor('the master', () => proc.portOpen(masterPort), 60_000, logs);
    for (let i = 0; i < (options.workers ?? 2); i++) workers.push(startWorker(i));
    connect = startConnect();
    await waitForConnect(url, () => connect!, logs);
    await waitForExecutors();
  } catch (error) {
    await stop();
    throw error;
  }
  const restart = async () => {
    if (!connect!.exited()) {
      proc.killGroup(connect!.child.pid, 'SIGTERM');
      await proc.waitExit(connect!, 30_000);
    }
    connect = startConnect();
    await waitForConnect(url, () => connect!, logs);
  };
  const heal = async () => {
    for (const [i, worker] of workers.entries()) if (worker.exited()) workers[i] = startWorker(i);
    if (connect!.exited()) await restart();
    await waitForExecutors();
  };
  return {
    url,
    dir,
    warehouse: join(dir, 'warehouse'),
    startMs: Date.now() - started,
    logs,
    stop,
    heal,
    ...faults(dir, () => connect!, workers, restart),
  };
}

/** The faults a test injects: kill the Connect server, a worker (with its executors) or one executor JVM. */
function faults(
  dir: string,
  connect: () => proc.SparkProcess,
  workers: proc.SparkProcess[],
  restartConnectServer: () => Promise<void>,
) {
  return {
    restartConnectServer,
    killConnectServer: async (signal: NodeJS.Signals = 'SIGKILL') => {
      proc.killGroup(connect().child.pid, signal);
      await proc.waitExit(connect(), 30_000);
    },
    killWorker: async (i: number) => {
      proc.killGroup(workers[i].child.pid, 'SIGKILL');
      await proc.waitExit(workers[i]);
    },
    killExecutor: () => {
      const [pid] = proc.executorPids(dir);
      if (pid) process.kill(pid, 'SIGKILL');
      return pid;
    },
  };
}
