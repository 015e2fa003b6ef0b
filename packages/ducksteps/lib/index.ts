// ducksteps as a library: the command line a project's run.ts calls, and the types a step script imports.
export { main } from './cli/main.js';
export type { StepContext } from './worker/step-script.js';
export type { ScriptInputsContext } from './changes.js';
