#!/usr/bin/env bash
# Runs ducksteps (run.ts, compiled to dist/) in this folder; installs first when node_modules is missing.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules ]; then
  ./install.sh >&2
fi
# Recompile when a framework source is newer than the compiled copy (a few seconds, only after edits to lib/).
if [ ! -f dist/run.js ] || [ -n "$(find run.ts lib -name '*.ts' -newer dist/run.js 2>/dev/null | head -n 1)" ]; then
  npm run --silent build >&2
fi
exec node dist/run.js "$@"
