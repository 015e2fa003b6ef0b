// Figures of the peer benchmark: one row per case and tool, the ratios ducksteps / tool, goals met or missed;
// as console text and as the "Peers" section of docs/performance.md (between markers, so bench/run.ts,
// which keeps everything from "## Reading the figures" on, leaves it alone).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { median } from '../../packages/ducksteps/lib/logs/history.js';
import type { CaseResult, SideResult } from './rounds.js';

export const MEMORY_GOAL = 1.2;
const START = '<!-- peers:start -->';
const END = '<!-- peers:end -->';

const med = (xs: number[]) => median(xs)!;
const f2 = (x: number) => x.toFixed(2);
const range = (xs: number[], f = f2) => `${f(med(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
const f0 = (x: number) => x.toFixed(0);
const ratio = (a: SideResult, b: SideResult, key: 'wall' | 'cpu' | 'treeMb') =>
  med(a.samples.map((s, i) => s[key] / b.samples[i][key]));

export interface Verdict {
  readonly caseId: string;
  readonly tool: string;
  readonly what: string;
  readonly goal: string;
  readonly value: number;
  readonly met: boolean;
}

/** Rows of the figures table, and the verdict of every goal. */
export function figures(results: readonly CaseResult[]): { head: string[]; rows: string[][]; verdicts: Verdict[] } {
  const head = [
    'case',
    'tool',
    'wall s: median (min–max)',
    'CPU s: median (min–max)',
    'peak RSS MB, tree: median (min–max)',
    'largest process MB',
    'ducksteps / tool: wall',
    'CPU',
    'memory (tree)',
    'goals',
  ];
  const rows: string[][] = [];
  const verdicts: Verdict[] = [];
  for (const r of results) {
    const [a] = r.sides;
    for (const s of r.sides) {
      const base = [
        r.id,
        s.tool,
        range(s.samples.map((x) => x.wall)),
        range(s.samples.map((x) => x.cpu)),
        range(
          s.samples.map((x) => x.treeMb),
          f0,
        ),
        f0(med(s.samples.map((x) => x.procMb))),
      ];
      if (s === a) {
        rows.push([...base, '', '', '', r.tablesEqual === false ? 'TABLES DIFFER' : '']);
        continue;
      }
      const [w, c, m] = [ratio(a, s, 'wall'), ratio(a, s, 'cpu'), ratio(a, s, 'treeMb')];
      const goal = r.goals[s.tool];
      const marks: string[] = [];
      if (goal !== undefined) {
        verdicts.push({ caseId: r.id, tool: s.tool, what: 'wall', goal: `≤ ${goal}×`, value: w, met: w <= goal });
        marks.push(`wall ≤ ${goal}×: ${w <= goal ? 'met' : 'MISSED'}`);
      }
      if (s.tool !== 'duckdb') {
        verdicts.push({
          caseId: r.id,
          tool: s.tool,
          what: 'memory',
          goal: `≤ ${MEMORY_GOAL}×`,
          value: m,
          met: m <= MEMORY_GOAL,
        });
        marks.push(`memory ≤ ${MEMORY_GOAL}×: ${m <= MEMORY_GOAL ? 'met' : 'MISSED'}`);
      }
      rows.push([...base, `${w.toFixed(3)}×`, `${c.toFixed(2)}×`, `${m.toFixed(2)}×`, marks.join('; ')]);
    }
  }
  return { head, rows, verdicts };
}

export const markdownTable = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );

/** Replaces the text between the peers markers of docs/performance.md (appends the block when absent). */
export function writePeersSection(path: string, body: string): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '# Performance\n';
  const block = `${START}\n${body.trim()}\n${END}`;
  const [s, e] = [text.indexOf(START), text.indexOf(END)];
  writeFileSync(
    path,
    s >= 0 && e > s ? `${text.slice(0, s)}${block}${text.slice(e + END.length)}` : `${text.trimEnd()}\n\n${block}\n`,
  );
}
