// Writes a unit test as fixture YAML (the format unit-fixture.ts reads): rows as CSV-like literal blocks, a
// comment where rows were cut; appended to tests/unit/NN_name.yaml (created with a header when new).
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import type { DiffCell } from '../unit-tests.js';
import { rowCell } from './fixture-rows.js';
import { readFixture } from './fixture.js';

/** A table to write: its rows as text cells, declared types (only where the project does not create it with
 * a column list), and a note written as a comment above it. */
export interface WrittenTable {
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<readonly DiffCell[]>;
  readonly types?: Readonly<Record<string, string>>;
  readonly note?: string;
}

export interface WrittenTest {
  readonly name: string;
  readonly description: string;
  readonly now: string;
  readonly vars: Readonly<Record<string, string>>;
  readonly batch?: {
    readonly id: number;
    readonly files: ReadonlyArray<{
      readonly input: string;
      readonly name: string;
      readonly content: string;
      readonly note?: string;
    }>;
  };
  readonly files: ReadonlyArray<{ readonly path: string; readonly content: string; readonly note?: string }>;
  readonly given: readonly WrittenTable[];
  readonly expect: readonly WrittenTable[];
}

const key = (k: string) => (/^[A-Za-z0-9_][\w./-]*$/.test(k) ? k : JSON.stringify(k));
const scalar = (v: string) => (/^[\w ./:-]*$/.test(v) && v.trim() === v && v !== '' ? v : JSON.stringify(v));
const pad = (n: number) => ' '.repeat(n);

/** A multi-line text as a literal block at `indent` (a JSON string when a line starts with a space). */
function block(text: string, indent: number): string {
  if (text.split('\n').some((l) => /^\s/.test(l) && l.trim() !== '')) return ` ${JSON.stringify(text)}`;
  const body = text.replace(/\n$/, '');
  return ` ${text.endsWith('\n') ? '|' : '|-'}\n${body
    .split('\n')
    .map((l) => (l === '' ? '' : `${pad(indent)}${l}`))
    .join('\n')}`;
}

/** CSV-like lines: the header, then one line per row. */
export const csvBlock = (columns: readonly string[], rows: ReadonlyArray<readonly DiffCell[]>) =>
  `${[columns.map((c) => rowCell(c)).join(','), ...rows.map((r) => r.map(rowCell).join(','))].join('\n')}\n`;

function table(t: WrittenTable, indent: number): string[] {
  const note = t.note ? [`${pad(indent)}# ${t.note}`] : [];
  const types = Object.entries(t.types ?? {});
  if (types.length === 0)
    return [...note, `${pad(indent)}${key(t.table)}:${block(csvBlock(t.columns, t.rows), indent + 2)}`];
  return [
    ...note,
    `${pad(indent)}${key(t.table)}:`,
    `${pad(indent + 2)}types: { ${types.map(([c, type]) => `${key(c)}: ${JSON.stringify(type)}`).join(', ')} }`,
    `${pad(indent + 2)}rows:${block(csvBlock(t.columns, t.rows), indent + 4)}`,
  ];
}

/** The test as YAML text (one top-level key). */
export function testYaml(t: WrittenTest): string {
  const lines = [`${key(t.name)}:`, `  description: ${scalar(t.description)}`, `  now: ${scalar(t.now)}`];
  if (Object.keys(t.vars).length)
    lines.push(
      `  vars: { ${Object.entries(t.vars)
        .map(([k, v]) => `${key(k)}: ${JSON.stringify(v)}`)
        .join(', ')} }`,
    );
  if (t.batch) {
    lines.push('  batch:', `    id: ${t.batch.id}`);
    const inputs = [...new Set(t.batch.files.map((f) => f.input))];
    if (inputs.length) lines.push('    files:');
    for (const input of inputs) {
      lines.push(`      ${key(input)}:`);
      for (const f of t.batch.files.filter((x) => x.input === input))
        lines.push(...(f.note ? [`        # ${f.note}`] : []), `        ${key(f.name)}:${block(f.content, 10)}`);
    }
  }
  if (t.files.length)
    lines.push(
      '  files:',
      ...t.files.flatMap((f) => [...(f.note ? [`    # ${f.note}`] : []), `    ${key(f.path)}:${block(f.content, 6)}`]),
    );
  if (t.given.length) lines.push('  given:', ...t.given.flatMap((g) => table(g, 4)));
  lines.push('  expect:', ...t.expect.flatMap((e) => table(e, 4)));
  return `${lines.join('\n')}\n`;
}

/** Appends the test to the step's fixture file (created when missing); a name already there is refused. */
export function appendTest(root: string, file: string, step: string, t: WrittenTest): void {
  const path = join(root, file);
  if (existsSync(path)) {
    const taken = readFixture(file, readFileSync(path, 'utf8'), step).some((x) => x.name === t.name);
    if (taken)
      throw new UsageError(`${file} already has a test named ${t.name}`, { hint: 'choose another with --name' });
    const text = readFileSync(path, 'utf8');
    appendFileSync(path, `${text.endsWith('\n') || text === '' ? '' : '\n'}\n${testYaml(t)}`);
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `# Unit tests of step ${step} (docs/unit-tests.md). Run them: ./run.sh test --unit --select ${step}\n\n${testYaml(t)}`,
  );
}
