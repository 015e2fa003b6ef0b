// The shop example as a starter (`init --example`): in ducksteps' own repository it is the repository's top
// level; a packed ducksteps carries a copy in templates/example/ (written by `npm pack`'s prepack).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package.js';
import { copyTree } from './templates.js';

/** What a project made with --example gets from the example: its steps, scripts, tests and publish targets. */
const PARTS = ['sql', 'steps', 'tests', 'publish'] as const;
const SETTINGS = 'ducksteps-settings.json';

/** The repository's top level when this package runs from a ducksteps checkout (its workspace). */
function checkoutRoot(): string | undefined {
  const root = join(packageRoot(), '..', '..');
  try {
    const json = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces?: unknown };
    return Array.isArray(json.workspaces) && json.workspaces.includes('packages/ducksteps') ? root : undefined;
  } catch {
    return undefined;
  }
}

export interface ExampleSource {
  readonly dir: string;
  /** The example's "ducksteps" settings (database, vars, inputs, archive). */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** Where the example is: the checkout's top level (always current), else the copy packed with the package. */
export function exampleSource(): ExampleSource | undefined {
  const checkout = checkoutRoot();
  if (checkout) {
    const json = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as { ducksteps?: object };
    return { dir: checkout, settings: { ...json.ducksteps } };
  }
  const packed = join(packageRoot(), 'templates', 'example');
  if (!existsSync(join(packed, SETTINGS))) return undefined;
  return { dir: packed, settings: JSON.parse(readFileSync(join(packed, SETTINGS), 'utf8')) as Record<string, unknown> };
}

/** Copies the example's parts into `to`; returns the files written. */
export const copyExample = (source: ExampleSource, to: string): string[] =>
  PARTS.filter((part) => existsSync(join(source.dir, part))).flatMap((part) => {
    mkdirSync(join(to, part), { recursive: true });
    return copyTree(join(source.dir, part), join(to, part), {}, () => false, part);
  });

/** Writes templates/example/ from the checkout (what `npm pack` ships); run by the package's prepack script. */
export function writeExampleTemplate(): void {
  const checkout = checkoutRoot();
  if (!checkout) throw new Error('not in a ducksteps checkout: the example template is written from its top level');
  const to = join(packageRoot(), 'templates', 'example');
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  const source = exampleSource()!;
  copyExample(source, to);
  writeFileSync(join(to, SETTINGS), `${JSON.stringify(source.settings, null, 2)}\n`);
}
