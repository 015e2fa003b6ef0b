#!/usr/bin/env bash
# Runs this project's command line (run.ts, through the ducksteps package in node_modules). Installs first when
# node_modules is missing or package-lock.json changed since the last install (a git pull).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1; then
  echo "ducksteps: Node.js is not installed; install Node.js 20 or newer (https://nodejs.org), then ./install.sh" >&2
  exit 2
fi
if [ ! -f node_modules/ducksteps/bin/ducksteps.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  ./install.sh >&2
fi
exec node node_modules/ducksteps/bin/ducksteps.js "$@"
