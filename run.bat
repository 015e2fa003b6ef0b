@echo off
rem Runs ducksteps (run.ts, compiled to dist\) in this folder. Installs first when node_modules is missing
rem or package-lock.json changed; recompiles when a framework source is newer than dist\run.js (as run.sh).
setlocal
cd /d "%~dp0"
node lib\cli\package-check.mjs || exit /b 2
set DUCKSTEPS_ACTION=
if not exist node_modules (
  set DUCKSTEPS_ACTION=install
) else (
  for /f %%a in ('node lib\cli\freshness.mjs') do set DUCKSTEPS_ACTION=%%a
)
if "%DUCKSTEPS_ACTION%"=="install" (
  call install.bat 1>&2 || exit /b 2
)
if "%DUCKSTEPS_ACTION%"=="build" (
  call npm run --silent build 1>&2 || exit /b 2
)
node dist\run.js %*
exit /b %ERRORLEVEL%
