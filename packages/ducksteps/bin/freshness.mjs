// What run.bat must do before running (run.sh does the same in bash): prints "install" when package-lock.json
// changed since the last install, "build" when (in ducksteps' own repository) a framework source is newer than
// its compiled dist/, nothing when all is current. Plain JS: it runs before anything is compiled.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : -1);

function newestSource(dir) {
  let newest = -1;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, mtime(path));
  }
  return newest;
}

const installed = mtime(join('node_modules', '.package-lock.json'));
const workspace = join('packages', 'ducksteps');
if (installed < 0 || mtime('package-lock.json') > installed) process.stdout.write('install\n');
else if (existsSync(join(workspace, 'tsconfig.json'))) {
  const built = mtime(join(workspace, 'dist', 'index.js'));
  if (built < 0 || newestSource(join(workspace, 'lib')) > built) process.stdout.write('build\n');
}
