// Unit tests a run does not run twice (docs/unit-tests.md, "Where they run"): a test whose whole input — its
// fixture, the step's rendered SQL, its script and everything that script may import, the framework build —
// hashes the same as one that passed gives the same answer (an in-memory DuckDB, time frozen).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { UnitTestCase } from '../protocol.js';
import type { UnitTestResult } from '../unit-tests.js';
import { BUILD, readPasses, sha, writePasses } from './passes.js';

/** Every file under `dir` (relative path -> SHA-256), in name order. */
function tree(dir: string, base = dir): Array<[string, string]> {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e): Array<[string, string]> => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return tree(path, base);
      return e.isFile() ? [[relative(base, path), sha(readFileSync(path, 'utf8'))]] : [];
    });
}

/** What a step script may import: every file under steps/ (its own helpers, steps/lib/*.ts, whatever else
 * it imports or reads from there) and the installed packages, as the lockfile pins them. */
function scriptInputs(root: string): string {
  const lock = join(root, 'package-lock.json');
  return sha(JSON.stringify([tree(join(root, 'steps')), existsSync(lock) ? sha(readFileSync(lock, 'utf8')) : '-']));
}

/** Each case's whole input, taken once before it runs (a file edited meanwhile is not credited to this pass). */
const unitKeys = new WeakMap<UnitTestCase, string>();

/** A unit test's whole input: what the worker receives, the step's script and everything it may import, the
 * framework build. */
function unitKey(root: string, c: UnitTestCase, scripts: () => string): string {
  let key = unitKeys.get(c);
  if (key === undefined) {
    const job = c.job && { ...c.job, script: undefined, ledger: c.job.ledger && { ...c.job.ledger, runId: '' } }; // the run id and where the script was compiled to are not inputs
    key = sha(JSON.stringify([BUILD, root, { ...c, job }, c.job?.script ? scripts() : '']));
    unitKeys.set(c, key);
  }
  return key;
}

/** Memoises `scriptInputs` for one pass over the cases. */
const once = (root: string) => {
  let inputs: string | undefined;
  return () => (inputs ??= scriptInputs(root));
};

/** The unit tests whose pass this run can reuse: the run that passed them, by case. Takes every case's inputs
 * before it runs; `reuse` false (`--recheck`, `test --unit`): reuses none. */
export function reusableUnits(root: string, cases: readonly UnitTestCase[], reuse = true): Map<UnitTestCase, string> {
  const reused = new Map<UnitTestCase, string>();
  const scripts = once(root);
  cases.forEach((c) => unitKey(root, c, scripts));
  const passes = readPasses(root, 'unit');
  if (!passes || !reuse) return reused;
  for (const c of cases) {
    const from = c.job && !c.capture ? passes.keys[unitKey(root, c, scripts)] : undefined;
    if (from) reused.set(c, from);
  }
  return reused;
}

/** Keeps the passes of these cases (run now or reused) for the next run. */
export function recordUnitPasses(
  root: string,
  runId: string,
  cases: readonly UnitTestCase[],
  results: readonly UnitTestResult[],
): void {
  const keys: Record<string, string> = {};
  const scripts = once(root);
  cases.forEach((c, i) => {
    if (results[i]?.status === 'pass' && c.job) keys[unitKey(root, c, scripts)] = results[i].reused ?? runId;
  });
  writePasses(root, 'unit', { runId, keys });
}
