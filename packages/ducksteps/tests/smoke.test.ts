import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, project, query } from './helpers.js';

t.test('a fresh project builds and answers exit 0', async (t) => {
  const dir = project(t, 'ok');
  const run = await cli(dir, ['--var', 'n=5']);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.same(await query(join(dir, 'data/warehouse.duckdb'), 'SELECT total, step_name FROM totals'), [
    { total: 1010, step_name: 'summarise' },
  ]);
});

t.test(
  "DUCKSTEPS_TRACE records the run's timeline: the driver's phases and each worker's, one JSON line per mark",
  async (t) => {
    const dir = project(t, 'ok');
    const trace = join(dir, 'trace.jsonl');
    const run = await cli(dir, ['--var', 'n=5'], { DUCKSTEPS_TRACE: trace });
    t.equal(run.exitCode, 0, run.stderr);
    const marks = readFileSync(trace, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { pid: number; t: number; label: string });
    const driver = marks[0].pid;
    const labels = (pid: number) => marks.filter((m) => m.pid === pid).map((m) => m.label);
    t.match(
      labels(driver),
      ['process start', 'driver imported', 'discovered', 'planned', 'build: locked'],
      'the driver starts with these',
    );
    t.ok(
      labels(driver).includes('report written') && labels(driver).at(-1) === 'exit',
      'and ends with the report and its exit',
    );
    const steps = [
      ...new Set(marks.filter((m) => m.pid !== driver && m.label === 'worker job step').map((m) => m.pid)),
    ];
    t.ok(steps.length >= 2, 'every step ran in a worker of its own');
    for (const pid of steps)
      t.same(labels(pid).slice(-6), [
        'worker job step',
        'worker open done',
        'worker execute done',
        'worker commit done',
        'worker close done',
        'worker done step',
      ]);
    t.ok(
      marks.every((m, i) => i === 0 || m.pid !== marks[i - 1].pid || m.t >= marks[i - 1].t),
      "each process's marks are in time order",
    );
  },
);
