#!/usr/bin/env bash
# Installs ducksteps into this folder's own node_modules and compiles the framework.
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
node lib/cli/package-check.mjs || exit 2
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
echo "ducksteps is installed. Next: ./run.sh"
