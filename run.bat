@echo off
rem Runs this project's command line (run.ts, through the ducksteps package). Installs first when node_modules
rem is missing or package-lock.json changed; in ducksteps' own repository recompiles the framework when a
rem source is newer (as run.sh).
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
if "%DUCKSTEPS_ACTION%"=="build" (
  call npm run --silent build 1>&2 || exit /b 2
)
node node_modules\ducksteps\bin\ducksteps.js %*
exit /b %ERRORLEVEL%
