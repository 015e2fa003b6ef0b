// Runs a case's sides in rounds, A B C … A B C …: each round runs ducksteps, then each peer, so every peer
// run sits next to a ducksteps run (the pairs alternate); the first `warmup` rounds are not kept.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { measure, type Command, type Sample } from './measure.js';

export type Tool = 'ducksteps' | 'dbt' | 'sqlmesh' | 'duckdb';

export interface Side {
  readonly tool: Tool;
  readonly command: Command;
  /** untimed, before every run of this side (reset or restore its state) */
  readonly prepare?: () => void;
  /** untimed, once before the first round: fills the tool's caches (dbt's partial parse file, SQLMesh's
   * model cache) so that round 1 does not pay a first run's parse when there is no warm-up round */
  readonly prime?: Command;
  /** after the last run: logical table name -> "N rows, checksum" */
  readonly tables?: () => Promise<Record<string, string>>;
}

export interface Case {
  readonly id: string;
  readonly label: string;
  readonly sides: readonly Side[]; // sides[0] is ducksteps
  /** goals on the median wall-time ratio ducksteps / side, per tool */
  readonly goals: Partial<Record<Tool, number>>;
}

export interface SideResult {
  readonly tool: Tool;
  readonly samples: readonly Sample[];
}

export interface CaseResult {
  readonly id: string;
  readonly label: string;
  readonly sides: readonly SideResult[];
  readonly goals: Partial<Record<Tool, number>>;
  readonly tablesEqual: boolean | undefined;
  readonly tables: Record<string, Record<string, string>>;
  /** the 1-minute load average before each run: other programs on the machine compete for its cores */
  readonly load: readonly number[];
  /** the harness arguments and the date of the run that measured this case */
  readonly command?: string;
  readonly date?: string;
}

const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

export async function runCase(
  c: Case,
  rounds: { pairs: number; warmup: number },
  python: string,
  logDir: string,
  log: (s: string) => void,
): Promise<CaseResult> {
  const samples = c.sides.map(() => [] as Sample[]);
  const load: number[] = [];
  for (const side of c.sides)
    if (side.prime) {
      side.prepare?.();
      execFileSync(side.prime.argv[0], side.prime.argv.slice(1), {
        cwd: side.prime.cwd,
        env: { ...process.env, ...side.prime.env },
        stdio: 'ignore',
      });
    }
  for (let r = 0; r < rounds.warmup + rounds.pairs; r++) {
    const kept = r >= rounds.warmup;
    c.sides.forEach((side, i) => {
      side.prepare?.();
      load.push(loadAverage());
      const s = measure(python, side.command, join(logDir, `${c.id}-${side.tool}`));
      log(
        `  ${c.id} ${kept ? `round ${r - rounds.warmup + 1}` : 'warm-up'} ${side.tool.padEnd(9)} ${s.wall.toFixed(2)} s wall, ${s.cpu.toFixed(2)} s CPU, ${s.treeMb.toFixed(0)} MB tree peak, ${s.procMb.toFixed(0)} MB largest process (load ${load[load.length - 1].toFixed(1)})`,
      );
      if (kept) samples[i].push(s);
    });
  }
  const tables: Record<string, Record<string, string>> = {};
  for (const side of c.sides) if (side.tables) tables[side.tool] = await side.tables();
  const sets = Object.values(tables).map((t) => JSON.stringify(t));
  const tablesEqual = sets.length < 2 ? undefined : sets.every((s) => s === sets[0]);
  if (tablesEqual === false) log(`  ${c.id}: TABLES DIFFER\n${JSON.stringify(tables, null, 1)}`);
  return {
    id: c.id,
    label: c.label,
    goals: c.goals,
    tablesEqual,
    tables,
    load,
    sides: c.sides.map((s, i) => ({ tool: s.tool, samples: samples[i] })),
  };
}
