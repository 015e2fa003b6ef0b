// Crash trials for incremental runs: kill the driver or a step's worker (SIGKILL) at a random moment of a
// run over several batches, deliver more files, run again; every file must be loaded exactly once and
// the tables must equal a --full-refresh over the same files.
import { execa } from 'execa';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { checksum, ducksteps, REPO } from './scenarios.js';
import { runAndKill } from './kill.js';
import { dropFile, eventsProject } from './watch.js';

const loadedOnce = async (dir: string) => {
  const sums = JSON.parse(
    (
      await execa(process.execPath, [join(REPO, 'bench', 'floor.mjs'), 'checksum', 'data/warehouse.duckdb'], {
        cwd: dir,
      })
    ).stdout,
  ) as Record<string, string>;
  return Number(sums['ducksteps.loaded_files']?.split(':')[0] ?? 0);
};

/** One trial; returns a problem description, or undefined when consistent. */
export async function incrementalTrial(root: string, n: number, random: () => number): Promise<string | undefined> {
  const dir = eventsProject(join(root, `inc${n}`));
  for (let f = 1; f <= 6; f++) dropFile(dir, f);
  const target = random() < 0.5 ? 'worker' : 'driver';
  const delay = 50 + random() * 1500;
  await runAndKill(dir, ['--batch-size', '2'], { target, delay });
  for (let f = 7; f <= 8; f++) dropFile(dir, f);
  const again = await ducksteps(dir, ['--lock-timeout', '10']).catch((e) => e);
  if (again.exitCode !== 0)
    return `incremental trial ${n} (${target} at ${delay.toFixed(0)} ms): the next run failed:\n${again.stdout}`;
  const loaded = await loadedOnce(dir);
  if (loaded !== 8)
    return `incremental trial ${n} (${target} at ${delay.toFixed(0)} ms): ${loaded} ledger rows for 8 files`;
  const reference = eventsProject(join(root, `inc${n}-ref`));
  cpSync(join(dir, 'data/landing/ev'), join(reference, 'data/landing/ev'), { recursive: true });
  await ducksteps(reference, ['--full-refresh']);
  const [a, b] = [await checksum(dir, 'data/warehouse.duckdb'), await checksum(reference, 'data/warehouse.duckdb')];
  if (a['main.totals'] !== b['main.totals'])
    return `incremental trial ${n} (${target} at ${delay.toFixed(0)} ms): totals differ from a full refresh`;
  console.log(
    `incremental trial ${n}: killed the ${target} at ${delay.toFixed(0)} ms; every file once, tables as a full refresh`,
  );
  return undefined;
}
