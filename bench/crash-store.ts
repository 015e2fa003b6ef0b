// Crash trials for the store (landing ∪ archive): kill the driver or a step's worker (SIGKILL) at a random
// moment of a run that archives its batches, or of a --full-refresh --batch-size over archived files; run
// again. Every file must be in the ledger exactly once, in landing or the archive exactly once with its
// content intact, and the tables must equal a --full-refresh over the same files.
import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksum, ducksteps, REPO } from './scenarios.js';
import { runAndKill } from './kill.js';
import { dropFile, eventsProject } from './watch.js';

export type StoreTrial = 'archive' | 'refresh';

const ARCHIVE = 'data/archive';

const ledgerRows = async (dir: string) => {
  const sums = JSON.parse(
    (
      await execa(process.execPath, [join(REPO, 'bench', 'floor.mjs'), 'checksum', 'data/warehouse.duckdb'], {
        cwd: dir,
      })
    ).stdout,
  ) as Record<string, string>;
  return Number(sums['ducksteps.loaded_files']?.split(':')[0] ?? 0);
};

const files = (dir: string, folder: string) =>
  existsSync(join(dir, folder)) ? readdirSync(join(dir, folder)).filter((f) => f.endsWith('.csv')) : [];

/** Each of the `count` files exactly once in landing ∪ archive, its bytes as delivered. */
function storeIntact(dir: string, pristine: string, count: number): string | undefined {
  const landing = files(dir, 'data/landing/ev');
  const archived = files(dir, `${ARCHIVE}/events`);
  const all = [...landing, ...archived];
  if (all.length !== count || new Set(all).size !== count)
    return `${landing.length} files in landing and ${archived.length} in the archive for ${count}`;
  for (const name of all) {
    const at = landing.includes(name) ? join(dir, 'data/landing/ev', name) : join(dir, ARCHIVE, 'events', name);
    if (!readFileSync(at).equals(readFileSync(join(pristine, name)))) return `${name} differs from what was delivered`;
  }
  return undefined;
}

/** One trial of `kind`; returns a problem description, or undefined when consistent. */
export async function storeTrial(
  root: string,
  n: number,
  random: () => number,
  kind: StoreTrial,
): Promise<string | undefined> {
  const dir = eventsProject(join(root, `${kind}${n}`), ARCHIVE);
  const pristine = join(root, `${kind}${n}-delivered`);
  mkdirSync(pristine, { recursive: true });
  for (let f = 1; f <= 6; f++) dropFile(dir, f);
  cpSync(join(dir, 'data/landing/ev'), pristine, { recursive: true });
  if (kind === 'refresh') await ducksteps(dir, []);
  const target = random() < 0.5 ? 'worker' : 'driver';
  const delay = 300 + random() * 4500; // such a run takes ~4-5 s here: the kill lands before, between or after its batches
  await runAndKill(dir, kind === 'refresh' ? ['--full-refresh', '--batch-size', '2'] : ['--batch-size', '2'], {
    target,
    delay,
  });
  for (let f = 7; f <= 8; f++) dropFile(dir, f);
  cpSync(join(dir, 'data/landing/ev'), pristine, { recursive: true, filter: (src) => !src.endsWith('.tmp') });
  const what = `${kind} trial ${n} (${target} at ${delay.toFixed(0)} ms)`;
  const again = await ducksteps(dir, ['--lock-timeout', '10']).catch((e) => e);
  if (again.exitCode !== 0) return `${what}: the next run failed:\n${again.stdout}`;
  const loaded = await ledgerRows(dir);
  if (loaded !== 8) return `${what}: ${loaded} ledger rows for 8 files`;
  const store = storeIntact(dir, pristine, 8);
  if (store) return `${what}: ${store}`;
  if (files(dir, 'data/landing/ev').length) return `${what}: files left in landing after a run that succeeded`;
  const reference = eventsProject(join(root, `${kind}${n}-ref`));
  cpSync(pristine, join(reference, 'data/landing/ev'), { recursive: true });
  await ducksteps(reference, ['--full-refresh']);
  const [a, b] = [await checksum(dir, 'data/warehouse.duckdb'), await checksum(reference, 'data/warehouse.duckdb')];
  if (a['main.totals'] !== b['main.totals']) return `${what}: totals differ from a full refresh`;
  console.log(
    `${kind} trial ${n}: killed the ${target} at ${delay.toFixed(0)} ms; every file once in the ledger and the store, tables as a full refresh`,
  );
  return undefined;
}
