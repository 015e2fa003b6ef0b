#!/usr/bin/env bash
# Runs ducksteps (run.ts, compiled to dist/) in this folder. Installs first when node_modules is missing or
# package-lock.json changed since the last install (a git pull); recompiles when a framework source is newer.
# (run.bat applies the same rule through lib/cli/freshness.mjs.)
set -euo pipefail
cd "$(dirname "$0")"
if command -v node >/dev/null 2>&1; then node lib/cli/package-check.mjs || exit 2; fi  # a broken package.json: one line, exit 2
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  ./install.sh >&2
fi
if [ ! -f dist/run.js ] || [ -n "$(find run.ts lib -name '*.ts' -newer dist/run.js 2>/dev/null | head -n 1)" ]; then
  npm run --silent build >&2
fi
exec node dist/run.js "$@"
