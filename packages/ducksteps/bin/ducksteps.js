#!/usr/bin/env node
// The ducksteps command. In a project folder with a run.ts (what ./run.sh and run.bat call), that file is the
// entry: it is compiled once into logs/compiled/run.mjs (again only when it changes) and run, so a project may
// add to its own command line. Anywhere else (npx ducksteps init shop) the command line runs directly.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const source = join(process.cwd(), 'run.ts');
const compiled = join(process.cwd(), 'logs', 'compiled', 'run.mjs');

/** run.ts as JavaScript, compiled when missing or older than its source (typescript loads only then). */
async function entry() {
  if (existsSync(compiled) && statSync(compiled).mtimeMs >= statSync(source).mtimeMs) return compiled;
  const ts = (await import('typescript')).default;
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
    fileName: source,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true },
  });
  mkdirSync(join(process.cwd(), 'logs', 'compiled'), { recursive: true });
  const temporary = `${compiled}.${process.pid}.tmp`;
  writeFileSync(temporary, outputText);
  renameSync(temporary, compiled); // atomic: two commands starting at once never read half a file
  return compiled;
}

/** package.json must parse before anything reads it (Node itself does, to resolve 'ducksteps' from run.ts): one
 * line and exit 2, the message ducksteps gives when it reads the settings. */
function checkPackageJson() {
  const path = join(process.cwd(), 'package.json');
  try {
    if (existsSync(path)) JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const what = String(error.message).split('\n')[0];
    process.stderr.write(
      `ducksteps: package.json: cannot read settings: ${what}\n  fix the JSON; see docs/running.md for the "ducksteps" keys\n`,
    );
    process.exit(2);
  }
}

checkPackageJson();
if (existsSync(source)) await import(pathToFileURL(await entry()).href);
else await (await import('../dist/cli/main.js')).main(process.argv.slice(2));
