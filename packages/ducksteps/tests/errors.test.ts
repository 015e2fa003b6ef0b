// Every row of docs/errors.md: the message, the exit code, and that the database is unchanged.
import t from 'tap';
import { execa } from 'execa';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, project, query, REPO } from './helpers.js';

const ok = { '01_ok': { 'a.sql': 'CREATE OR REPLACE TABLE kept AS SELECT 1 AS x;' } };
type Tree = Record<string, unknown>;
interface Case {
  name: string;
  tree: Tree;
  args?: string[];
  exit: number;
  message: RegExp;
  stream?: 'stdout' | 'stderr';
  prepare?: (dir: string) => void;
}

const CASES: Case[] = [
  {
    name: 'an unknown on_schema_change',
    tree: { sql: { '01_ok': { 'a.sql': `-- ducksteps: on_schema_change = append\n${ok['01_ok']['a.sql']}` } } },
    exit: 2,
    message:
      /ducksteps: sql\/01_ok\/a\.sql:1: unknown on_schema_change "append"\n\s+write -- ducksteps: on_schema_change = fail \| append_new_columns \| sync_all_columns/,
  },
  {
    name: 'a bad "onSchemaChange" in package.json',
    tree: { 'package.json': JSON.stringify({ ducksteps: { onSchemaChange: 'append' } }), sql: ok },
    exit: 2,
    message:
      /ducksteps: package\.json: "ducksteps"\."onSchemaChange" must be fail, append_new_columns, sync_all_columns, got "append"/,
  },
  {
    name: 'a contract.yaml column without a type',
    tree: { sql: { '01_ok': { ...ok['01_ok'], 'contract.yaml': 'kept:\n  x:\n' } } },
    exit: 2,
    message:
      /ducksteps: sql\/01_ok\/contract\.yaml:2: contract of kept: column x has no type\n\s+write table: then one "column: TYPE \[NOT NULL\]" line per column/,
  },
  {
    name: 'duplicate step numbers',
    tree: { sql: { ...ok, '01_b': { 'b.sql': 'SELECT 1;' } } },
    exit: 2,
    message: /ducksteps: sql\/01_ok: duplicate step number 1: sql\/01_b and sql\/01_ok\n\s+renumber one of them/,
  },
  {
    name: 'step folder with no .sql files',
    tree: { sql: { ...ok, '02_empty': { 'notes.md': 'x' } } },
    exit: 2,
    message: /sql\/02_empty: step folder has no \.sql files\n\s+add a \.sql file/,
  },
  {
    name: 'script without a SQL folder',
    tree: { sql: ok, steps: { '02_orphan.ts': 'export function before() {}' } },
    exit: 2,
    message: /steps\/02_orphan\.ts: script has no SQL folder sql\/02_orphan\//,
  },
  {
    name: 'step folder name breaks the pattern',
    tree: { sql: { ...ok, '02-Bad': { 'a.sql': 'SELECT 1;' } } },
    exit: 2,
    message: /sql\/02-Bad: step folder name "02-Bad" does not match NN_name/,
  },
  {
    name: 'include or import outside the project',
    tree: { sql: { ...ok, '02_t': { 'a.sql': '{% include "../../../etc/passwd" %}' } } },
    exit: 1,
    message: /included or imported file not found: .*etc\/passwd\n\s+at sql\/02_t\/a\.sql/,
  },
  {
    name: 'undefined variable',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\nSELECT {{ vars.missing }};' } } },
    exit: 1,
    message: /undefined value in \{\{ vars\.missing \}\}\n\s+at sql\/02_t\/a\.sql:2\n\s+hint: pass it with --var/,
  },
  {
    name: 'template syntax error',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\n{% if x %}\nSELECT 2;' } } },
    exit: 1,
    message:
      /template error: parseIf: expected elif, else, or endif, got end of file\n\s+at sql\/02_t\/a\.sql:2\n\s+hint: close the block opened on that line with \{% endif %\}/,
  },
  {
    name: 'a template error on line 1',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT {{ nope(1) }};\nSELECT 2;' } } },
    exit: 1,
    message: /error: template error: Unable to call `nope`, which is undefined or falsey\n\s+at sql\/02_t\/a\.sql:1\n/,
  },
  {
    name: 'a {% if %} that does not parse',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\n{% if %}\nSELECT 2;\n{% endif %}' } } },
    exit: 1,
    message: /error: template error: unexpected token: %\}\n\s+at sql\/02_t\/a\.sql:2\n/,
  },
  {
    name: 'a tag Nunjucks does not have, such as {% do %}',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\n{% do x %}\nSELECT 2;' } } },
    exit: 1,
    message:
      /error: template error: unknown block tag: do\n\s+at sql\/02_t\/a\.sql:2\n\s+hint: Nunjucks has no \{% do %\} tag/,
  },
  {
    name: 'a syntax error in an imported macro file',
    tree: {
      sql: {
        ...ok,
        macros: { 'm.sql': '{% macro m() %}\nx\n{% if %}y{% endif %}\n{% endmacro %}\n' },
        '02_t': { 'a.sql': '{% import "macros/m.sql" as mm %}\nSELECT 1;\nSELECT {{ mm.m() }};' },
        '03_u': { 'a.sql': 'SELECT 2;\n{% import "macros/m.sql" as mm %}' },
      },
    },
    exit: 1,
    message:
      /error: template error: unexpected token: %\}\n\s+at sql\/macros\/m\.sql:3\n\s+hint: fix the Nunjucks syntax at that line \(called from sql\/02_t\/a\.sql:1\)/,
  },
  {
    name: 'an empty --select (an unset shell variable)',
    tree: { sql: ok },
    args: ['--select', ''],
    exit: 2,
    message: /ducksteps: --select is empty \(an unset shell variable\?\)\n\s+name a step/,
  },
  {
    name: 'calling an undefined function',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\nSELECT 2;\nSELECT {{ nope(1) }};' } } },
    exit: 1,
    message:
      /error: template error: Unable to call `nope`, which is undefined or falsey\n\s+at sql\/02_t\/a\.sql:3\n\s+hint: check the name/,
  },
  {
    name: 'a var that is not a number',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\nSELECT {{ vars.n | int }};' } } },
    args: ['--var', 'n=abc'],
    exit: 1,
    message:
      /error: vars\.n is "abc", which is not a number \(in \{\{ vars\.n \| int \}\}\)\n\s+at sql\/02_t\/a\.sql:2\n\s+hint: pass a number \(--var n=10\), or give a fallback: \{\{ vars\.n \| int\(0\) \}\}/,
  },
  {
    name: 'unknown filter',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\nSELECT {{ 1 | nofilter }};' } } },
    exit: 1,
    message:
      /error: template error: filter not found: nofilter\n\s+at sql\/02_t\/a\.sql:2\n\s+hint: check the filter name/,
  },
  {
    name: 'a macro that calls itself',
    tree: {
      sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\n{% macro r(n) %}{{ r(n) }}{% endmacro %}\nSELECT {{ r(1) }};' } },
    },
    exit: 1,
    message:
      /error: template error: a macro calls itself without end \(maximum call stack size exceeded\)\n\s+at sql\/02_t\/a\.sql:2/,
  },
  {
    name: 'an error inside an imported macro',
    tree: {
      sql: {
        ...ok,
        macros: { 'm.sql': '{% macro bad() %}\nline one\n{{ missing_var }}\n{% endmacro %}\n' },
        '02_t': { 'a.sql': '{% import "macros/m.sql" as m %}\nSELECT 1;\nSELECT {{ m.bad() }};' },
      },
    },
    exit: 1,
    message:
      /error: undefined value in \{\{ missing_var \}\}\n\s+at sql\/macros\/m\.sql:3\n\s+hint: .*\(called from sql\/02_t\/a\.sql:3\)/,
  },
  {
    name: 'a NUL byte in a SQL file',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\nSELECT 2\u0000;' } } },
    exit: 1,
    message: /error: file contains a NUL byte\n\s+at sql\/02_t\/a\.sql:2\n\s+hint: remove it/,
  },
  {
    name: 'environment variable not set',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT \'{{ env("DUCKSTEPS_SURELY_UNSET") }}\';' } } },
    exit: 1,
    message:
      /environment variable DUCKSTEPS_SURELY_UNSET is not set\n\s+at sql\/02_t\/a\.sql:1\n\s+hint: export DUCKSTEPS_SURELY_UNSET=/,
  },
  {
    name: 'SQL syntax error',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\nSELEC 2;' } } },
    exit: 1,
    message:
      /error: Parser Error: syntax error at or near "SELEC"\n\s+at sql\/02_t\/a\.sql:2\n[\s\S]*hint: check the SQL syntax/,
  },
  {
    name: 'runtime SQL error (cast failure)',
    tree: { sql: { ...ok, '02_t': { 'a.sql': "CREATE TABLE c AS SELECT CAST('abc' AS INTEGER) AS n;" } } },
    exit: 1,
    message:
      /Conversion Error: Could not convert string 'abc' to INT32[\s\S]*at sql\/02_t\/a\.sql:1[\s\S]*hint: .*TRY_CAST/,
  },
  {
    name: 'empty SQL file',
    tree: { sql: { ...ok, '02_t': { 'a.sql': '  \n' } } },
    exit: 2,
    message: /sql\/02_t\/a\.sql: SQL file is empty\n\s+add SQL/,
  },
  {
    name: 'file that is not UTF-8',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'x' } } },
    exit: 1,
    message: /file is not valid UTF-8\n\s+at sql\/02_t\/a\.sql/,
    prepare: (dir) => writeFileSync(join(dir, 'sql/02_t/a.sql'), Buffer.from([0x53, 0xff, 0x3b])),
  },
  {
    name: '--var without =',
    tree: { sql: ok },
    args: ['--var', 'orders'],
    exit: 2,
    message: /ducksteps: --var "orders" is not name=value\n\s+write it as --var orders=1000/,
  },
  {
    name: 'unknown flag',
    tree: { sql: ok },
    args: ['--fast'],
    exit: 2,
    message: /ducksteps: unknown option --fast\n\s+see \.\/run\.sh --help/,
  },
  {
    name: 'unknown command',
    tree: { sql: ok },
    args: ['deploy'],
    exit: 2,
    message: /ducksteps: unknown command "deploy"\n\s+commands: run, list/,
  },
  {
    name: 'transaction control in a step',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'DROP TABLE kept;\nCOMMIT;\nSELECT * FROM nope;' } } },
    args: [],
    exit: 1,
    message:
      /error: COMMIT is not allowed in a step: ducksteps runs each step in one transaction and commits it itself\n\s+at sql\/02_t\/a\.sql:2\n\s+hint: remove the statement/,
  },
  {
    name: 'ROLLBACK in a step',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\n  rollback ;\nDROP TABLE kept;' } } },
    exit: 1,
    message: /error: ROLLBACK is not allowed in a step[\s\S]*at sql\/02_t\/a\.sql:2/,
  },
  {
    name: 'CHECKPOINT in a step',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;\nFORCE CHECKPOINT;' } } },
    exit: 1,
    message:
      /error: FORCE CHECKPOINT cannot run inside the step's transaction\n\s+at sql\/02_t\/a\.sql:2\n\s+hint: move it to its own file marked -- ducksteps: no-transaction/,
  },
  {
    name: 'step folder name too long',
    tree: { sql: { ...ok, [`02_${'x'.repeat(250)}`]: { 'a.sql': 'SELECT 1;' } } },
    exit: 2,
    message: /step folder name is 253 characters long \(at most 64\)\n\s+shorten it/,
  },
  {
    name: 'a .sql entry that cannot be read',
    tree: { sql: { ...ok, '02_t': { 'a.sql': { 'inner.txt': 'x' } } } },
    exit: 2,
    message: /ducksteps: sql\/02_t\/a\.sql: cannot read the file \(EISDIR\)\n\s+check that the file is readable/,
  },
  {
    name: 'package.json that is not JSON',
    tree: { sql: ok, 'package.json': '{ "ducksteps": ' },
    exit: 2,
    message: /ducksteps: package\.json: cannot read settings: .*JSON/,
  },
  {
    name: 'new with a name that is too long',
    tree: { sql: ok },
    args: ['new', 'n'.repeat(260)],
    exit: 2,
    message: /step name "n{20}… \(260 characters\)" is not valid\n\s+start with a letter/,
  },
  {
    name: 'new with a name that starts with a digit',
    tree: { sql: ok },
    args: ['new', '05_x'],
    exit: 2,
    message: /step name "05_x" is not valid/,
  },
  {
    name: '--db that is a CSV file',
    tree: { sql: ok, data: { 'x.csv': 'a,b\n1,2\n' } },
    args: ['--db', 'data/x.csv'],
    exit: 2,
    message:
      /--db data\/x\.csv exists and is not a DuckDB database \(DuckDB would read it as a table and save nothing\)/,
  },
  {
    name: '--db that is a folder',
    tree: { sql: ok },
    args: ['--db', 'data'],
    exit: 2,
    message: /--db data is a folder, not a database file/,
  },
  { name: '--db that is empty', tree: { sql: ok }, args: ['--db', ''], exit: 2, message: /--db is empty/ },
  {
    name: '--db :memory:',
    tree: { sql: ok },
    args: ['--db', ':memory:'],
    exit: 2,
    message: /--db :memory: cannot work: each step runs in its own process/,
  },
  {
    name: 'upper-case .SQL file in a step',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;', 'B.SQL': 'SELECT 2;' } } },
    exit: 2,
    message: /sql\/02_t\/B\.SQL: "B\.SQL" has an upper-case extension and would not run\n\s+rename it to B\.sql/,
  },
  {
    name: 'folder inside a step folder',
    tree: { sql: { ...ok, '02_t': { 'a.sql': 'SELECT 1;', more: { 'b.sql': 'SELECT 2;' } } } },
    exit: 2,
    message: /sql\/02_t\/more: a folder inside a step folder is not run/,
  },
  {
    name: 'assertion file with only comments',
    tree: { sql: ok, tests: { 'empty.sql': '-- nothing yet\n' } },
    exit: 1,
    message: /assertion file has no query[\s\S]*tests\/empty\.sql/,
  },
  {
    name: 'unknown severity in one assertion',
    tree: {
      sql: ok,
      tests: {
        'two.sql': '-- severity: fatal\nSELECT 1 WHERE false;\n-- name: still_runs\nSELECT * FROM kept WHERE x <> 1;',
      },
    },
    exit: 1,
    message: /✘ 2 assertions: 1 passed, 1 in error[\s\S]*unknown severity "fatal"\n\s+at tests\/two\.sql:2/,
  },
  {
    name: 'COPY TO in an assertion',
    tree: { sql: ok, tests: { 'copy.sql': "COPY (SELECT 1) TO 'out.csv';" } },
    exit: 1,
    message: /COPY … TO is not allowed in an assertion: assertions change nothing/,
  },
  {
    name: 'bad --memory-limit',
    tree: { sql: ok },
    args: ['--memory-limit', 'garbage'],
    exit: 2,
    message: /--memory-limit must be a size like 512MB or 4GB, got "garbage"/,
  },
  {
    name: 'too many --threads',
    tree: { sql: ok },
    args: ['--threads', '99999'],
    exit: 2,
    message: /--threads 99999 is more than 4× this machine's \d+ cores/,
  },
  {
    name: 'a bad value in package.json',
    tree: { sql: ok, 'package.json': '{"ducksteps": {"threads": 0}}' },
    exit: 2,
    message: /package\.json "ducksteps"\."threads" must be a whole number >= 1, got "0"/,
  },
  {
    name: 'unknown package.json setting',
    tree: { sql: ok, 'package.json': '{"ducksteps": {"databse": "x.duckdb"}}' },
    exit: 2,
    message: /package\.json: unknown setting "ducksteps"\."databse"\n\s+did you mean "database"\?/,
  },
  {
    name: 'a flag the command does not use',
    tree: { sql: ok },
    args: ['logs', '--json'],
    exit: 2,
    message: /logs does not use --json\n\s+logs takes: --runs --step/,
  },
  { name: 'two commands', tree: { sql: ok }, args: ['run', 'test'], exit: 2, message: /run does not take "test"/ },
  {
    name: '--resume with --from, --to or --only',
    tree: { sql: ok },
    args: ['--resume', '--from', '1'],
    exit: 2,
    message: /--resume cannot be combined with --from/,
  },
  {
    name: '--db in a missing folder',
    tree: { sql: ok },
    args: ['--db', 'nowhere/w.duckdb'],
    exit: 2,
    message:
      /the folder for the database does not exist: nowhere\n\s+create it \(mkdir -p nowhere\) or choose another --db/,
  },
  {
    name: 'missing input folder (example)',
    tree: {},
    args: ['--only', 'extract'],
    exit: 2,
    message:
      /ducksteps: package\.json: input orders: the folder data\/landing\/orders does not exist \(glob data\/landing\/orders\/\*\.csv\)\n\s+create it \(mkdir -p data\/landing\/orders\) or fix "ducksteps"\."inputs"\."orders"/,
    prepare: (dir) => {
      copy(join(REPO, 'sql'), join(dir, 'sql'));
      copy(join(REPO, 'steps'), join(dir, 'steps'));
      copy(join(REPO, 'package.json'), join(dir, 'package.json'));
    },
  },
];

const copy = (from: string, to: string) => cpSync(from, to, { recursive: true });

for (const c of CASES) {
  t.test(`${c.name}: exit ${c.exit}, one clear message, database unchanged`, async (t) => {
    const dir = project(t, undefined, c.tree as never);
    c.prepare?.(dir);
    const run = await cli(dir, c.args ?? []);
    t.equal(run.exitCode, c.exit);
    t.match(c.exit === 2 ? run.stderr : run.stdout, c.message);
    t.notMatch(run.stdout + run.stderr, /\n\s+at .*\.(js|ts):\d+:\d+\)?\n/, 'no stack trace');
    const db = join(dir, 'data/warehouse.duckdb');
    if (existsSync(db))
      t.same(
        await query(
          db,
          "SELECT table_name FROM information_schema.tables WHERE table_name <> 'kept' AND table_schema <> 'ducksteps'",
        ),
        [],
        'nothing of the failing step is in the database',
      );
    t.match(readFileSync(join(REPO, 'docs/errors.md'), 'utf8'), c.name, 'the case is in docs/errors.md');
  });
}

t.test('--db in a folder that is not writable: exit 2', async (t) => {
  const dir = project(t, undefined, { sql: ok });
  // root writes through permissions, so as root the folder is a read-only mount; otherwise chmod is enough
  const folder = mkdtempSync(join(tmpdir(), 'ducksteps-ro-'));
  if (process.getuid?.() === 0) {
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', folder], { reject: false });
    t.equal(mounted.exitCode, 0, `a read-only tmpfs mounts (${mounted.stderr.trim()})`);
  } else {
    chmodSync(folder, 0o555);
  }
  t.teardown(async () => {
    await execa('umount', [folder], { reject: false });
    rmSync(folder, { recursive: true, force: true });
  });
  const run = await cli(dir, ['--db', join(folder, 'w.duckdb')]);
  t.equal(run.exitCode, 2, run.stderr);
  t.match(
    run.stderr,
    `the folder for the database is not writable: ${folder}\n  choose another --db or fix the folder permissions`,
  );
  t.match(readFileSync(join(REPO, 'docs/errors.md'), 'utf8'), 'folder that is not writable');
});
