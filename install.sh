#!/usr/bin/env bash
# Installs this project's dependencies (ducksteps, at the version package.json pins) into ./node_modules.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1; then
  echo "ducksteps: Node.js is not installed; install Node.js 20 or newer (https://nodejs.org) and run ./install.sh again" >&2
  exit 2
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "ducksteps: Node.js $(node -v) is too old; install Node.js 20 or newer and run ./install.sh again" >&2
  exit 2
fi
node -e 'try { JSON.parse(require("fs").readFileSync("package.json", "utf8")) } catch (e) { console.error(`ducksteps: package.json: cannot read settings: ${e.message.split("\n")[0]}\n  fix the JSON; see docs/running.md for the "ducksteps" keys`); process.exit(2) }'
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
# In ducksteps' own repository the framework is a workspace built from its sources.
if [ -f packages/ducksteps/tsconfig.json ]; then npm run --silent build; fi
echo "ducksteps is installed. Next: ./run.sh"
