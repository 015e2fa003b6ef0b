// The command table: name -> help text and a lazily imported handler (keeps start-up lean).

export interface CommandContext {
  readonly root: string;
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly args: readonly string[];
}

export interface Command {
  readonly help?: string;
  run(context: CommandContext): Promise<number>;
}

export const HELP = `ducksteps: run numbered SQL step folders on DuckDB, each step atomically in its own process.

usage: ./run.sh [command] [options]

commands:
  run (default)   run every step in order, then the SQL assertions in tests/
  test            run only the assertions against the current database

options for run:
  --db PATH             database file (default data/warehouse.duckdb)
  --var name=value      template variable, repeatable (vars.name in SQL)
  --threads N           DuckDB threads for every step
  --memory-limit SIZE   DuckDB memory limit for every step, e.g. 2GB
  -h, --help            this help

Defaults come from package.json "ducksteps": { database, vars, threads, memoryLimit }; flags win.
Exit codes: 0 ok, 1 a step or assertion failed, 2 usage or configuration error.`;

export const commands: Record<string, Command> = {
  run: { run: async (c) => (await import('./commands/run.js')).runCommand(c) },
  test: {
    help: 'usage: ./run.sh test [--db PATH] [--var name=value]\n\nRuns only the SQL assertions in tests/ against the current database (read-only).',
    run: async (c) => (await import('./commands/run.js')).runCommand(c, { steps: false }),
  },
};
