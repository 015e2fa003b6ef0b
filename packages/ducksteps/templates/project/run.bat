@echo off
rem Runs this project's command line (run.ts, through the ducksteps package in node_modules). Installs first
rem when node_modules is missing or package-lock.json changed since the last install (as run.sh).
setlocal
cd /d "%~dp0"
set DUCKSTEPS_ACTION=
if not exist node_modules\ducksteps\bin\ducksteps.js (
  set DUCKSTEPS_ACTION=install
) else (
  for /f %%a in ('node node_modules\ducksteps\bin\freshness.mjs') do set DUCKSTEPS_ACTION=%%a
)
if "%DUCKSTEPS_ACTION%"=="install" (
  call install.bat 1>&2 || exit /b 2
)
node node_modules\ducksteps\bin\ducksteps.js %*
exit /b %ERRORLEVEL%
