@echo off
rem Installs this project's dependencies (ducksteps, at the version package.json pins) into node_modules.
rem To upgrade ducksteps: change its version in package.json, then run this again (README.md, "Upgrade").
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
node -e "try { JSON.parse(require('fs').readFileSync('package.json', 'utf8')) } catch (e) { console.error('ducksteps: package.json: cannot read settings: ' + e.message.split('\n')[0] + '\n  fix the JSON'); process.exit(2) }" || exit /b 2
call npm install --no-audit --no-fund --loglevel=error || exit /b 2
echo ducksteps is installed. Next: run.bat
