// The command table: name -> help text, accepted flags and a lazily imported handler (keeps start-up lean).
import { ENGINES } from '../engines/traits.js';
import { UsageError } from '../errors.js';
import type { Command, CommandContext } from './context.js';

/** The flags of show and sql (besides their own). */
const READ_FLAGS = ['target', 'db', 'data-path', 'engine', 'csv', 'json', 'limit'];

const BUILD_FLAGS = [
  'target',
  'verbose',
  'db',
  'data-path',
  'engine',
  'var',
  'threads',
  'memory-limit',
  'step-timeout',
  'lock-timeout',
  'json',
  'jobs',
];

// The engines on a cluster (engines/traits.ts), as the help names them: --engine NAME, what doctor checks.
const CLUSTERS = ENGINES.filter((engine) => engine.cluster !== undefined);
const ENGINE_FLAG = `[--engine ${CLUSTERS.map((engine) => engine.name).join(' | ')}]`;
const CLUSTER_TITLES = CLUSTERS.map((engine) => engine.title).join(', ');
const CLUSTER_URLS = CLUSTERS.map((engine) => engine.cluster!.urlEnv).join(', ');

export const HELP = `ducksteps: run numbered SQL step folders on DuckDB, each step atomically in its own process.

usage: ./run.sh [command] [options]

commands:
  run (default)   run every step in order (each gated by its assertions), the rest of the assertions, publish/
  test            run only the assertions against the current database (--unit: the unit tests)
  list            the steps, their files, gates and last status; the inputs and their pending files
  compile         render everything, check that it parses, print the run plan; runs nothing (= --dry-run)
  logs            which step got slower, and which statement; recent batches
  docs            write docs/pipeline.md (lineage, gates, steps)
  new NAME        add the next-numbered step (--script adds steps/NN_name.ts)
  init DIR        make a new project in DIR (--example: the shop example; --empty: no step)
  show TABLE      the first rows of a table (--where, --columns, --limit, --csv, --json), read-only
  sql "SELECT …"  run queries on the warehouse, read-only (-f FILE; --csv, --json)
  doctor          check Node, DuckDB, extensions, settings, PostgreSQL, ${CLUSTER_TITLES}, disk and the run lock
  watch           run the pipeline on new input files as they arrive (micro-batches)
  report          write logs/report.html for the latest run (every run writes it too)
  create-test STEP  a unit test of STEP from the warehouse's rows (--where EXPR): docs/unit-tests.md
  (each command has its own --help)

options for run:
  --target NAME         the target (package.json "targets": its database, vars, publish; docs/environments.md)
  --no-publish          build and check, deliver nothing (a partial run or a "publish": false target never
                        publishes; --publish makes a partial run deliver)
  --defer TARGET        read every table this run does not build from TARGET's warehouse, read-only, no copy
  --select state:modified[+]  the steps changed since --state TARGET's last successful run (and their readers)
  --state TARGET        the target whose last successful run state:modified compares with (default: --defer's)
  --db PATH             database file (default data/warehouse.duckdb), or a DuckLake:
                        ducklake:postgres:dbname=… host=… (many writers) or ducklake:path/catalog.ducklake
  --data-path DIR       a DuckLake's data folder (default data/lake)
${CLUSTERS.map((engine) => engine.cluster!.helpLines).join('\n')}
  --var name=value      template variable, repeatable (vars.name in SQL)
  --threads N           DuckDB threads for every step
  --memory-limit SIZE   DuckDB memory limit for every step, e.g. 2GB
  --step-timeout TIME   stop a step running longer than TIME (30s, 5m, 1h); it rolls back
  --publish-timeout TIME  stop a publish target taking longer than TIME (default 5m); it rolls back
  --lock-timeout TIME   wait up to TIME (60, 30s, 2m; default 0) for another program to release the database file
  --from STEP           start at this step (number, name or folder name)
  --to STEP             stop after this step
  --only STEP           run just this step (repeat it for several)
  --select SEL          STEP, STEP+ (and all that reads what it builds), +STEP (and all it needs); repeatable
  --exclude SEL         leave out steps, same forms
  --resume              start at the step where the last run failed, with its vars and database
  --batch-size N        incremental steps: at most N new files per batch, each batch committed on its own
  --full-refresh        incremental steps: rebuild from every file, archived ones included; with
                        --select STEP+ (or --only STEP), STEP and what reads it from the tables they read
  --forget-missing      with --full-refresh: rebuild without loaded files gone from landing and archive
  --recheck             run every assertion and unit test, even those whose answer a run already knows
  --ignore-freshness    run even when an input's newest file is older than its "errorAfter" (a warning then)
  --jobs N              run up to N independent steps at once (a DuckLake warehouse; a DuckDB file
                        takes one writer, so there steps run one at a time); publish targets in parallel
  --json                print one JSON document on stdout (progress goes to stderr)
  --verbose             print a line as each step starts, and the full tables (steps, every assertion, publish)
  --version             the versions of ducksteps, DuckDB and Node.js
  -h, --help            this help

Defaults come from package.json "ducksteps": { database, vars, threads, memoryLimit, stepTimeout,
publishTimeout, lockTimeout, inputs, archive, duplicates, gates, unitTests, jobs, dataPath, extensionDir,
engine, targets, target }; flags win.
Incremental steps and inputs: docs/batches.md.
Exit codes: 0 ok, 1 a step, assertion or publish target failed, 2 usage or configuration error,
130 interrupted (Ctrl-C), 143 stopped by SIGTERM.`;

export const commands: Record<string, Command> = {
  run: {
    flags: [
      ...BUILD_FLAGS,
      'publish-timeout',
      'from',
      'to',
      'only',
      'select',
      'exclude',
      'resume',
      'batch-size',
      'full-refresh',
      'forget-missing',
      'recheck',
      'ignore-freshness',
      'defer',
      'state',
      'publish',
      'no-publish',
    ],
    worker: true,
    run: async (c) => (await import('./run.js')).runCommand(c),
  },
  list: {
    help: `usage: ./run.sh list [--json] [--target NAME] [--db PATH] [--data-path DIR] ${ENGINE_FLAG}\n                   [--select SEL [--state TARGET | --defer TARGET]]\n\nThe steps: number, folder, SQL files, script, incremental, last status and duration; the declared\ninputs with their loaded and pending files. With --select: the steps it selects and why (state:modified:\nwhich file, script or var changed since the --state target last built the step; docs/environments.md).`,
    flags: ['json', 'target', 'db', 'data-path', 'engine', 'select', 'state', 'defer', 'var'],
    run: async (c) => (await import('./list.js')).listCommand(c),
  },
  compile: {
    help: 'usage: ./run.sh compile [--var name=value] [--select SEL | --from/--to/--only STEP]\n\nRenders every step and assertion into logs/compiled/ and checks that every statement parses\n(DuckDB parser, nothing is executed, no database needed). Exit 1 with file:line for each error.\nThen prints the run plan of that selection (default: every step): each stage with the assertions\nthat gate it, the assertions after the steps, publish. ./run.sh --dry-run [selection] does the same.',
    flags: [
      'target',
      'var',
      'engine',
      'dry-run',
      'from',
      'to',
      'only',
      'select',
      'exclude',
      'state',
      'defer',
      'publish',
      'no-publish',
    ],
    worker: true,
    run: async (c) => (await import('./compile.js')).compileCommand(c),
  },
  logs: {
    help: "usage: ./run.sh logs [--runs N] [--step STEP]\n\nThe last run's steps beside the median of the previous N runs on the same warehouse (--db; default 10),\nsteps at least 1.5x slower flagged; the slowest statements with file:line; failed steps with their error;\nthe recent batches of that warehouse.",
    flags: ['runs', 'step', 'target'],
    run: async (c) => (await import('./logs.js')).logsCommand(c),
  },
  docs: {
    help: 'usage: ./run.sh docs\n\nWrites docs/pipeline.md: the lineage flowchart (Mermaid) with the gates, the steps and their files,\nthe assertions and the tables of each step. It holds no run data, so it changes only when the SQL\ndoes: timings are in ./run.sh logs and logs/report.html.',
    flags: ['var'],
    run: async (c) => (await import('./docs.js')).docsCommand(c),
  },
  new: {
    help: 'usage: ./run.sh new <name> [--script]\n\nCreates the next-numbered step folder sql/NN_name/ with a starter SQL file\n(and steps/NN_name.ts with --script).',
    flags: ['script'],
    args: 1,
    run: async (c) => (await import('./new.js')).newCommand(c),
  },
  report: {
    help: 'usage: ./run.sh report\n\nWrites logs/report.html for the latest run in logs/ (every run writes it too): the run, a timeline\nof the steps, trends over the last 20 runs, peak memory and CPU per step, the slowest statements,\nthe assertions with their failing rows, and the lineage. One self-contained file; opens offline.',
    flags: ['var', 'target'],
    run: async (c) => (await import('./report.js')).reportCommand(c),
  },
  watch: {
    help: 'usage: ./run.sh watch [--batch-size N] [--max-wait TIME] [--db PATH] [--var name=value]\n\nWatches the folders of the declared inputs and runs the pipeline (then the assertions) on new files:\nwhen N files are pending (default 100) or the oldest has waited TIME (default 5s). One line per\nmicro-batch. A failing micro-batch stops watch with exit 1, its files still pending; Ctrl-C exits 130.',
    flags: [...BUILD_FLAGS.filter((f) => f !== 'json'), 'publish-timeout', 'batch-size', 'max-wait'],
    run: async (c) => (await import('./watch.js')).watchCommand(c),
  },
  'create-test': {
    help: 'usage: ./run.sh create-test STEP [--where EXPR]... [--name NAME] [--limit N] [--db PATH] [--var name=value]\n\nMakes a unit test of STEP from the warehouse: the rows the step reads, filtered by each --where (it applies\nto every table that has all the columns it names; "schema.table: EXPR" applies to that table only; a table\nwith a batch_id no --where applies to gives the first N rows, default 20, of the batch the test processes:\nthe one holding the --where rows; any other table the rows holding their keys (*_id columns), else its\nfirst N rows), and, as expected rows, what the step makes of them. Appends it to tests/unit/STEP.yaml and\nruns it once. docs/unit-tests.md',
    flags: ['where', 'name', 'limit', 'target', 'db', 'data-path', 'var'],
    args: 1,
    run: async (c) => (await import('./create-test.js')).createTestCommand(c),
  },
  show: {
    help: `usage: ./run.sh show SCHEMA.TABLE [--limit N] [--where EXPR] [--columns a,b] [--csv | --json]\n                   [--target NAME] [--db PATH] [--data-path DIR] ${ENGINE_FLAG}\n\nThe first N rows (default 20) of a table of the current warehouse, read-only, as a table (--csv, --json\nfor programs), and how many rows there are. --where filters (repeat it: all must hold). While a run\nwrites a DuckDB file it says so and for how long; a DuckLake with its catalog in PostgreSQL is read\nat its last snapshot, ${CLUSTER_TITLES} through the cluster (no lock; a busy cluster runs it when an executor is free).`,
    flags: [...READ_FLAGS, 'where', 'columns'],
    args: 1,
    worker: true,
    run: async (c) => (await import('./show.js')).showCommand(c),
  },
  sql: {
    help: `usage: ./run.sh sql "SELECT …" | -f FILE [--csv | --json] [--limit N] [--target NAME] [--db PATH] [--data-path DIR] ${ENGINE_FLAG}\n\nRuns queries on the current warehouse, read-only (DuckDB opens it read-only; on ${CLUSTER_TITLES} only SELECT, WITH,\nSHOW, DESCRIBE and EXPLAIN are sent), each result as a table of its first 100 rows (--limit N); --csv and\n--json print every row of the last statement. While a run writes a DuckDB file it says so.`,
    flags: [...READ_FLAGS, 'file'],
    args: 1,
    worker: true,
    run: async (c) => (await import('./sql.js')).sqlCommand(c),
  },
  doctor: {
    help: `usage: ./run.sh doctor [--target NAME] [--db PATH] [--data-path DIR] ${ENGINE_FLAG}\n\nChecks what ducksteps needs here, one line each, ok / warning / error with the fix: Node, the installed\nducksteps against package.json, the settings, the project, DuckDB and the extensions the warehouse needs,\nthe warehouse (a lake's PostgreSQL catalog), PostgreSQL for publish targets (DUCKSTEPS_PG_URL), the ${CLUSTER_TITLES}\ncluster (${CLUSTER_URLS}), free disk beside the warehouse, a stale run lock. Exit 1 on an error.`,
    flags: ['target', 'db', 'data-path', 'engine'],
    worker: true,
    run: async (c) => (await import('./doctor.js')).doctorCommand(c),
  },
  init: {
    help: 'usage: ducksteps init DIR [--example | --empty]   (in a ducksteps checkout: ./run.sh init ../DIR)\n\nMakes a new project in DIR (new or empty): sql/, steps/, tests/, publish/, docs/, logs/, run.ts, run.sh,\nrun.bat, install.sh, install.bat, package.json (its own name; ducksteps pinned to this version, packed into\nvendor/), README.md and .gitignore. It starts with two steps, an assertion, a unit test and a publish\ntarget; --example with the shop example instead, --empty with no step. Then: cd DIR && ./install.sh && ./run.sh',
    flags: ['example', 'empty'],
    args: 1,
    run: async (c) => (await import('./init.js')).initCommand(c),
  },
  test: {
    help: `usage: ./run.sh test [--unit] [--select SEL] [--exclude SEL] [--db PATH] [--var name=value] [--json]\n                   ${ENGINE_FLAG} [--threads N] [--memory-limit SIZE] (the run options: ./run.sh --help)\n\nRuns the SQL assertions in tests/ against the current database (read-only): all of them, or with\n--select only those gating the selected steps.\n\n--unit runs the unit tests in tests/unit/ instead (fixture rows, each on an in-memory DuckDB; the\nwarehouse is never opened): all of them, or with --select those of the selected steps. docs/unit-tests.md`,
    flags: [...BUILD_FLAGS, 'select', 'exclude', 'unit', 'state'],
    worker: true,
    run: async (c) => (await import('./run.js')).runCommand(c, true),
  },
};

/** Refuses flags and arguments the command would silently ignore. */
export function checkCommandInput(
  name: string,
  command: Command,
  flags: CommandContext['flags'],
  args: readonly string[],
): void {
  const unused = Object.keys(flags).filter((f) => flags[f] !== undefined && f !== 'help' && !command.flags.includes(f));
  if (unused.length > 0) {
    throw new UsageError(`${name} does not use --${unused[0]}`, {
      hint: `${name} takes: ${command.flags.map((f) => `--${f}`).join(' ') || 'no options'} (see ./run.sh ${name} --help)`,
    });
  }
  if (args.length > (command.args ?? 0)) {
    throw new UsageError(`${name} does not take "${args[command.args ?? 0]}"`, {
      hint: `one command at a time: ./run.sh ${args[command.args ?? 0]} …, or see ./run.sh --help`,
    });
  }
}
