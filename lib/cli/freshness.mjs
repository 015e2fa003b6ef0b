// What run.bat must do before running (run.sh does the same in bash): prints "install" when
// package-lock.json changed since the last install, "build" when a framework source is newer than
// dist/run.js, nothing when all is current. Plain JS: it runs before anything is compiled.
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
const built = mtime(join('dist', 'run.js'));
if (installed < 0 || mtime('package-lock.json') > installed) process.stdout.write('install\n');
else if (built < 0 || Math.max(mtime('run.ts'), newestSource('lib')) > built) process.stdout.write('build\n');
