#!/usr/bin/env node
// The ducksteps command. In a project folder with a run.ts (what ./run.sh and run.bat call), that file is the
// entry: it is compiled once into logs/compiled/run.mjs (again only when it changes) and run, so a project may
// add to its own command line. Anywhere else (npx ducksteps init shop) the command line runs directly.
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
 * line and exit 2, the message ducksteps gives when it reads the settings. Returns it (undefined: none). */
function checkPackageJson() {
  const path = join(process.cwd(), 'package.json');
  try {
    return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
  } catch (error) {
    const what = String(error.message).split('\n')[0];
    process.stderr.write(
      `ducksteps: package.json: cannot read settings: ${what}\n  fix the JSON; see docs/running.md for the "ducksteps" keys\n`,
    );
    process.exit(2);
  }
}

/** Stops, saying what to do, when this project's ducksteps is not the version its package.json pins (it was
 * changed, ./install.sh not run yet), or when the project still holds the framework itself (made by 0.1.0). */
async function checkProject(pkg) {
  const here = dirname(dirname(fileURLToPath(import.meta.url)));
  const own = join(process.cwd(), 'node_modules', 'ducksteps');
  const oldEntry = existsSync(source) && readFileSync(source, 'utf8').includes('./lib/');
  if (oldEntry || existsSync(join(process.cwd(), 'lib'))) {
    const { legacyChanges, legacyMessage } = await import('../dist/init/legacy.js');
    const changes = legacyChanges(process.cwd());
    if (changes.length > 0) fail(legacyMessage(changes));
  }
  if (!existsSync(own) || realpathSync(own) !== realpathSync(here)) return; // npx ducksteps …: not the project's own
  const { packageVersion, pinnedVersion } = await import('../dist/init/package.js');
  const pinned = pinnedVersion(pkg?.dependencies?.ducksteps);
  if (pinned && pinned !== packageVersion())
    fail(
      `package.json pins ducksteps ${pinned}, and ${packageVersion()} is installed\n  run ./install.sh (it installs the version package.json pins)`,
    );
}

function fail(message) {
  process.stderr.write(`ducksteps: ${message}\n`);
  process.exit(2);
}

const pkg = checkPackageJson();
await checkProject(pkg);
if (existsSync(source)) await import(pathToFileURL(await entry()).href);
else await (await import('../dist/cli/main.js')).main(process.argv.slice(2));
