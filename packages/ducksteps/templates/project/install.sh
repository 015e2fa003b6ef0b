#!/usr/bin/env bash
# Installs this project's dependencies (ducksteps, at the version package.json pins) into ./node_modules.
# To upgrade ducksteps: change its version in package.json, then run this again (README.md, "Upgrade").
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
node -e '
const fs = require("fs");
let pkg;
try { pkg = JSON.parse(fs.readFileSync("package.json", "utf8")) } catch (e) {
  console.error(`ducksteps: package.json: cannot read settings: ${e.message.split("\n")[0]}\n  fix the JSON`); process.exit(2) }
const spec = (pkg.dependencies || {}).ducksteps || "";
const file = spec.startsWith("file:") ? spec.slice(5) : "";
if (file.endsWith(".tgz") && !fs.existsSync(file)) {
  console.error(`ducksteps: package.json: "ducksteps": "${spec}" names ${file}, which is not there\n  put that tarball there (npm pack in a ducksteps checkout makes it), or pin a published version: "ducksteps": "X.Y.Z"`); process.exit(2) }
'
npm install --no-audit --no-fund --loglevel=error
echo "ducksteps $(node -p 'require("./node_modules/ducksteps/package.json").version') is installed. Next: ./run.sh"
