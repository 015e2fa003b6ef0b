@echo off
rem Installs ducksteps into this folder's own node_modules and compiles the framework.
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
node lib\cli\package-check.mjs || exit /b 2
call npm ci --no-audit --no-fund --loglevel=error || exit /b 2
call npm run --silent build || exit /b 2
echo ducksteps is installed. Next: run.bat
