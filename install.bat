@echo off
rem Installs this project's dependencies (ducksteps, at the version package.json pins) into node_modules.
setlocal
cd /d "%~dp0"
where node >nul 2>nul
if errorlevel 1 (
  echo ducksteps: Node.js is not installed; install Node.js 20 or newer and run install.bat again 1>&2
  exit /b 2
)
node -e "process.exit(Number(process.versions.node.split('.')[0]) >= 20 ? 0 : 1)"
if errorlevel 1 (
  echo ducksteps: Node.js is too old; install Node.js 20 or newer and run install.bat again 1>&2
  exit /b 2
)
node -e "try { JSON.parse(require('fs').readFileSync('package.json', 'utf8')) } catch (e) { console.error('ducksteps: package.json: cannot read settings: ' + e.message.split('\n')[0] + '\n  fix the JSON; see docs/running.md for the \"ducksteps\" keys'); process.exit(2) }" || exit /b 2
if exist package-lock.json (
  call npm ci --no-audit --no-fund --loglevel=error || exit /b 2
) else (
  call npm install --no-audit --no-fund --loglevel=error || exit /b 2
)
if exist packages\ducksteps\tsconfig.json (
  call npm run --silent build || exit /b 2
)
echo ducksteps is installed. Next: run.bat
