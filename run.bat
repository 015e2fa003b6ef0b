@echo off
rem Runs ducksteps (run.ts, compiled to dist\) in this folder; installs first when node_modules is missing.
setlocal
cd /d "%~dp0"
if not exist node_modules (
  call install.bat 1>&2 || exit /b 2
)
if not exist dist\run.js (
  call npm run --silent build 1>&2 || exit /b 2
)
node dist\run.js %*
exit /b %ERRORLEVEL%
