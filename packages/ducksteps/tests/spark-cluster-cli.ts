// Starts a throwaway Spark cluster for trying things by hand (the test files share one of their own,
// spark-shared.ts), prints its URL, and stops it on SIGTERM/SIGINT (or when stdin closes, with --stdin).
//   node --import tsx packages/ducksteps/tests/spark-cluster-cli.ts [--info FILE] &
// FILE gets two lines: the sc:// URL, then this process's pid (kill it to stop the cluster).
import { writeFileSync } from 'node:fs';
import { startSparkCluster } from './spark-cluster.js';

const args = process.argv.slice(2);
const infoFile = args.includes('--info') ? args[args.indexOf('--info') + 1] : undefined;

const cluster = await startSparkCluster();
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await cluster.stop();
  process.exit(0);
};
process.on('SIGTERM', stop).on('SIGINT', stop);
if (args.includes('--stdin')) process.stdin.on('end', stop).resume();
if (infoFile) writeFileSync(infoFile, `${cluster.url}\n${process.pid}\n`);
process.stdout.write(`${cluster.url}\n`);
process.stderr.write(
  `Spark test cluster ready in ${(cluster.startMs / 1000).toFixed(1)} s at ${cluster.url} (folder ${cluster.dir}); pid ${process.pid}\n`,
);
setInterval(() => undefined, 1 << 30); // stay alive until a signal
