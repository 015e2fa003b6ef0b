// Run first by run.sh, run.bat and the install scripts: package.json must parse before npm reads it (npm's
// own error for a broken one is a page of npm lines and exit 1). The same message and exit code as when
// ducksteps itself reads the settings. Plain JS: it runs before anything is compiled or installed.
import { existsSync, readFileSync } from 'node:fs';

try {
  if (existsSync('package.json')) JSON.parse(readFileSync('package.json', 'utf8'));
} catch (error) {
  process.stderr.write(
    `ducksteps: package.json: cannot read settings: ${error.message.split('\n')[0]}\n  fix the JSON; see docs/running.md for the "ducksteps" keys\n`,
  );
  process.exit(2);
}
