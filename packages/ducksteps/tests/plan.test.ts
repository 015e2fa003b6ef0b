// Planning is pure: the plan of a project (steps, assertions, lineage, targets) computed in-process, in
// milliseconds, with no files and no workers.
import t from 'tap';
import { describePlan, gatesNotRun, lookahead, planRun, type PlanInput } from '../lib/plan/plan.js';
import { lineageOf, projectViews, reachedThrough } from '../lib/render/lineage.js';
import type { Assertion, Project, PublishTarget, Step, StepLineage } from '../lib/model.js';
import type { UnitTest } from '../lib/unit-tests.js';

const step = (number: number, name: string, incremental = false): Step => ({
  number,
  id: `0${number}_${name}`,
  name,
  dir: `sql/0${number}_${name}`,
  files: [`sql/0${number}_${name}/a.sql`],
  incremental,
});
const steps = [step(1, 'load'), step(2, 'raw', true), step(3, 'core', true), step(4, 'mart')];
const project: Project = { root: '/p', steps, testFiles: ['tests/a.sql'] };
const lineage = new Map<string, StepLineage>([
  ['01_load', { writes: ['ref.products'], reads: [], calls: [], views: {}, filesRead: [], filesWritten: [] }],
  ['02_raw', { writes: ['raw.orders'], reads: [], calls: [], views: {}, filesRead: [], filesWritten: [] }],
  [
    '03_core',
    {
      writes: ['core.orders'],
      reads: ['raw.orders', 'ref.products'],
      calls: [],
      views: {},
      filesRead: [],
      filesWritten: [],
    },
  ],
  [
    '04_mart',
    { writes: ['mart.daily'], reads: ['core.orders'], calls: [], views: {}, filesRead: [], filesWritten: [] },
  ],
]);
const assertion = (name: string, sql: string, extra: Partial<Assertion> = {}): Assertion => ({
  name,
  file: `tests/${name}.sql`,
  line: 1,
  severity: 'error',
  sql,
  compiled: '',
  ...extra,
});
const assertions = [
  assertion('products_unique', 'SELECT id FROM ref.products GROUP BY id HAVING count(*) > 1'),
  assertion(
    'orders_fk',
    'SELECT * FROM core.orders o WHERE NOT EXISTS (SELECT 1 FROM ref.products p WHERE p.id = o.product_id)',
  ),
  assertion('daily_positive', 'SELECT * FROM mart.daily WHERE revenue < 0'),
  assertion('constant', 'SELECT 1 WHERE false'),
  assertion('pinned', 'SELECT * FROM core.orders', { step: '04_mart' }),
];
const target: PublishTarget = {
  file: 'publish/a.sql',
  kind: 'file',
  destination: 'out/a.csv',
  mode: 'replace',
  key: [],
  options: {},
};
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  project,
  steps,
  assertions,
  lineage,
  targets: [target],
  gates: true,
  ...over,
});
const names = (list: readonly Assertion[]) => list.map((a) => a.name);

t.test(
  'each step gets the assertions on the last table they read; incremental steps form one batches stage',
  async (t) => {
    const plan = planRun(input());
    t.same(
      plan.stages.map((s) => s.kind),
      ['step', 'batches', 'step', 'assertions', 'publish'],
    );
    const [load, batches, mart, after] = plan.stages;
    t.same(load.kind === 'step' && names(load.gates), ['products_unique']);
    t.same(
      batches.kind === 'batches' && [
        batches.steps.map((s) => s.id),
        names(batches.gates.get('03_core')!),
        batches.createsBatches,
      ],
      [['02_raw', '03_core'], ['orders_fk'], true],
    );
    t.same(
      mart.kind === 'step' && names(mart.gates),
      ['daily_positive', 'pinned'],
      'a -- step: line wins over the lineage',
    );
    t.same(
      after.kind === 'assertions' && names(after.assertions),
      ['constant'],
      "reading no step's table: after the steps",
    );
    t.same(
      plan.flow?.gates.get('04_mart')?.map((a) => a.name),
      ['daily_positive', 'pinned'],
    );
  },
);

t.test('a selection plans only its steps; the gates of the others run after the steps', async (t) => {
  const plan = planRun(input({ steps: [steps[2], steps[3]] }));
  t.same(
    plan.stages.map((s) => s.kind),
    ['batches', 'step', 'assertions', 'publish'],
  );
  t.equal(
    plan.stages[0].kind === 'batches' && plan.stages[0].createsBatches,
    false,
    'a later incremental step alone creates no batches',
  );
  const after = plan.stages.find((s) => s.kind === 'assertions');
  t.same(
    after?.kind === 'assertions' && names(after.assertions),
    ['products_unique', 'constant'],
    "every assertion runs: 01_load's gate after the steps",
  );
});

t.test('the gates of a planned step that did not run (no new batch) join the assertions after the steps', async (t) => {
  const plan = planRun(input());
  t.same(names(gatesNotRun(plan, new Set(['01_load', '02_raw', '04_mart']))), ['orders_fk'], '03_core was up to date');
  t.same(gatesNotRun(plan, new Set(steps.map((s) => s.id))), [], 'all ran: none');
  t.same(lookahead(plan, 3), ['step', 'publish'], 'a worker is warmed for them');
});

t.test('lineage: every kind of write, and reads through views and table macros', async (t) => {
  const l = lineageOf([
    `CREATE TABLE a AS SELECT 1 AS id;
UPDATE b SET x = 1 FROM c WHERE b.id = c.id;
DELETE FROM d WHERE id IN (SELECT id FROM e);
MERGE INTO f USING g ON f.id = g.id WHEN MATCHED THEN UPDATE SET x = g.x;
TRUNCATE h;
COPY i FROM 'x.csv';
COPY j TO 'y.csv';
INSERT INTO k SELECT * FROM l ON CONFLICT DO UPDATE SET x = 1;
ALTER TABLE m ADD COLUMN y INTEGER;
CREATE TEMP TABLE tmp AS SELECT 1;
UPDATE tmp SET x = 2;
CREATE VIEW v AS SELECT * FROM n JOIN o USING (id);
CREATE MACRO mac(p) AS TABLE SELECT * FROM q WHERE id = p;`,
  ]);
  t.same(
    l.writes,
    ['a', 'b', 'd', 'f', 'h', 'i', 'k', 'm', 'mac', 'v'],
    'temporary tables and ON CONFLICT DO UPDATE are not writes',
  );
  t.same(l.reads, ['c', 'e', 'g', 'j', 'l', 'n', 'o', 'q']);
  t.same(l.views, { v: ['n', 'o'], mac: ['q'] });
  const views = projectViews([l, lineageOf(['CREATE VIEW w AS SELECT * FROM v'])]);
  t.same(
    [...reachedThrough(['w'], ['mac', 'read_csv'], views)].sort(),
    ['mac', 'n', 'o', 'q', 'v', 'w'],
    'through a view over a view, and a macro call; read_csv reaches nothing',
  );
});

t.test('"gates": false and an unknown lineage put every assertion after the steps', async (t) => {
  for (const plan of [planRun(input({ gates: false })), planRun(input({ lineage: undefined }))]) {
    const after = plan.stages.find((s) => s.kind === 'assertions');
    t.same(after?.kind === 'assertions' && names(after.assertions), names(assertions));
    t.ok(plan.stages.every((s) => s.kind !== 'step' || s.gates.length === 0));
  }
  t.equal(planRun(input({ lineage: undefined })).flow, undefined, 'no flow without a lineage');
});

t.test('test: every assertion, or with --select the ones gating the selected steps; never publish', async (t) => {
  const all = planRun(input({ steps: [], lineage: undefined }));
  t.same(
    all.stages.map((s) => s.kind),
    ['assertions'],
  );
  const selected = planRun(input({ steps: [], testSteps: [steps[3]] }));
  t.same(selected.stages[0].kind === 'assertions' && names(selected.stages[0].assertions), [
    'daily_positive',
    'pinned',
  ]);
});

t.test('workers are warmed in the order the plan needs them', async (t) => {
  const plan = planRun(input());
  t.same(
    lookahead(plan, 0),
    ['step', 'step', 'step', 'step', 'step', 'publish'],
    'step; ledger read + first unit; step; the assertions; publish',
  );
  t.same(lookahead(plan, 3, 2), ['step', 'step', 'step', 'publish'], 'two units left, then what follows');
  t.same(lookahead(planRun(input({ assertions: [] })), 3), ['publish'], 'no assertions: no worker for them');
});

t.test('the plan prints one line per stage', async (t) => {
  t.same(describePlan(planRun(input())), [
    '1. step 01_load (gated by products_unique)',
    '2. batches: 02_raw, 03_core (gated by orders_fk) once per new or unfinished batch',
    '3. step 04_mart (gated by daily_positive, pinned)',
    '4. assertions after the steps: constant',
    '5. publish: file out/a.csv',
  ]);
});

t.test('unit tests are a stage before every other, holding only the tests of the steps the run runs', async (t) => {
  const unit = (name: string, stepId: string): UnitTest => ({
    name,
    step: stepId,
    file: `tests/unit/${stepId}.yaml`,
    line: 1,
    vars: {},
    now: '2000-01-01 00:00:00',
    timeZone: 'UTC',
    files: [],
    given: [],
    expect: [],
  });
  const tests = [unit('a', '01_load'), unit('b', '04_mart'), unit('c', '04_mart')];
  const plan = planRun(input({ unitTests: tests }));
  t.same(
    plan.stages.map((s) => s.kind),
    ['unit tests', 'step', 'batches', 'step', 'assertions', 'publish'],
  );
  t.equal(describePlan(plan)[0], '1. unit tests before the steps: 3 (01_load, 04_mart)');
  t.same(lookahead(plan, 0).slice(0, 2), ['step', 'step'], 'a worker is warmed for them first');
  const selected = planRun(input({ unitTests: tests, steps: [steps[3]] }));
  t.same(
    selected.stages[0].kind === 'unit tests' && selected.stages[0].tests.map((x) => x.name),
    ['b', 'c'],
    "only the selected step's tests",
  );
  t.same(
    planRun(input({ unitTests: tests, steps: [steps[1]] })).stages.map((s) => s.kind),
    ['batches', 'assertions', 'publish'],
    'no test of a running step: no stage',
  );
});

t.test(
  'stages wait only for what their lineage touches; landing files, scripts and the later stages keep the order',
  async (t) => {
    const branch = (number: number, name: string, script = false): Step => ({
      ...step(number, name),
      script: script ? `steps/0${number}_${name}.ts` : undefined,
    });
    const wide = [
      branch(1, 'left'),
      branch(2, 'right'),
      branch(3, 'both'),
      branch(4, 'tool', true),
      branch(5, 'after'),
    ];
    const l = (writes: string[], reads: string[]): StepLineage => ({
      writes,
      reads,
      calls: [],
      views: {},
      filesRead: [],
      filesWritten: [],
    });
    const lin = new Map<string, StepLineage>([
      ['01_left', l(['a'], [])],
      ['02_right', l(['b'], [])],
      ['03_both', l(['c'], ['a', 'b'])],
      ['04_tool', l([], [])],
      ['05_after', l(['d'], [])],
    ]);
    const { stageDependencies } = await import('../lib/plan/graph.js');
    const plan = planRun({
      ...input(),
      project: { ...project, steps: wide },
      steps: wide,
      lineage: lin,
      assertions: [],
    });
    t.same(
      stageDependencies(plan),
      [[], [], [0, 1], [0, 1, 2], [3], [0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5]],
      'left and right at once; both after them; the script step waits for all and all after it wait for it; assertions, then publish',
    );
    t.same(
      stageDependencies({ ...plan, flow: undefined }),
      [[], [0], [1], [2], [3], [4], [5]],
      'no lineage: the planned order',
    );
  },
);

t.test('the scheduler runs ready tasks at once up to the job count, in order with one job', async (t) => {
  const { schedule } = await import('../lib/run/schedule.js');
  const log: string[] = [];
  const task = (ms: number) => async (i: number) => {
    log.push(`start ${i}`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`end ${i}`);
  };
  await schedule([[], [], [0, 1]], 2, task(20));
  t.same(log.slice(0, 2), ['start 0', 'start 1'], 'two independent tasks start together');
  t.equal(
    log.indexOf('start 2') > Math.max(log.indexOf('end 0'), log.indexOf('end 1')),
    true,
    'the third waits for both',
  );
  log.length = 0;
  await schedule([[], [], []], 1, task(1));
  t.same(log, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2'], 'one job: one after another, in order');
});
