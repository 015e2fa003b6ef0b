// Copies a template folder of the package into a new project: `gitignore` becomes `.gitignore` (npm leaves
// a .gitignore out of a package), shell scripts are made executable, __NAME__ and __VERSION__ filled in.
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RENAMED: Record<string, string> = { gitignore: '.gitignore' };
const FILLED = /\.(md|ts|sh|bat)$/;

/** Copies `from` into `to` (merging into folders that exist); returns the files written, relative to `to`.
 * `skip`: relative paths not to copy. */
export function copyTree(
  from: string,
  to: string,
  values: Readonly<Record<string, string>> = {},
  skip: (path: string) => boolean = () => false,
  prefix = '',
): string[] {
  const written: string[] = [];
  for (const entry of readdirSync(from).sort()) {
    const source = join(from, entry);
    const name = RENAMED[entry] ?? entry;
    const rel = prefix ? `${prefix}/${name}` : name;
    if (skip(rel)) continue;
    if (statSync(source).isDirectory()) {
      mkdirSync(join(to, name), { recursive: true });
      written.push(...copyTree(source, join(to, name), values, skip, rel));
      continue;
    }
    const target = join(to, name);
    if (FILLED.test(name) && Object.keys(values).length > 0) {
      const text = Object.entries(values).reduce(
        (t, [key, value]) => t.replaceAll(`__${key}__`, value),
        readFileSync(source, 'utf8'),
      );
      writeFileSync(target, text);
    } else copyFileSync(source, target);
    if (name.endsWith('.sh')) chmodSync(target, 0o755);
    written.push(rel);
  }
  return written;
}
