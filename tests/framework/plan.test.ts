// Planning is pure: the plan of a project (steps, assertions, lineage, targets) computed in-process, in
// milliseconds, with no files and no workers.
import t from 'tap';
import { describePlan, lookahead, planRun, type PlanInput } from '../../lib/plan/plan.js';
import type { Assertion, Project, PublishTarget, Step, StepLineage } from '../../lib/model.js';

const step = (number: number, name: string, incremental = false): Step =>
  ({ number, id: `0${number}_${name}`, name, dir: `sql/0${number}_${name}`, files: [`sql/0${number}_${name}/a.sql`], incremental });
const steps = [step(1, 'load'), step(2, 'raw', true), step(3, 'core', true), step(4, 'mart')];
const project: Project = { root: '/p', steps, testFiles: ['tests/a.sql'] };
const lineage = new Map<string, StepLineage>([
  ['01_load', { creates: ['ref.products'], reads: [], filesRead: [], filesWritten: [] }],
  ['02_raw', { creates: ['raw.orders'], reads: [], filesRead: [], filesWritten: [] }],
  ['03_core', { creates: ['core.orders'], reads: ['raw.orders', 'ref.products'], filesRead: [], filesWritten: [] }],
  ['04_mart', { creates: ['mart.daily'], reads: ['core.orders'], filesRead: [], filesWritten: [] }],
]);
const assertion = (name: string, sql: string, extra: Partial<Assertion> = {}): Assertion => ({ name, file: `tests/${name}.sql`, line: 1, severity: 'error', sql, compiled: '', ...extra });
const assertions = [
  assertion('products_unique', 'SELECT id FROM ref.products GROUP BY id HAVING count(*) > 1'),
  assertion('orders_fk', 'SELECT * FROM core.orders o WHERE NOT EXISTS (SELECT 1 FROM ref.products p WHERE p.id = o.product_id)'),
  assertion('daily_positive', 'SELECT * FROM mart.daily WHERE revenue < 0'),
  assertion('constant', 'SELECT 1 WHERE false'),
  assertion('pinned', 'SELECT * FROM core.orders', { step: '04_mart' }),
];
const target: PublishTarget = { file: 'publish/a.sql', kind: 'file', destination: 'out/a.csv', mode: 'replace', key: [], options: {} };
const input = (over: Partial<PlanInput> = {}): PlanInput => ({ project, steps, assertions, lineage, targets: [target], gates: true, ...over });
const names = (list: readonly Assertion[]) => list.map((a) => a.name);

t.test('each step gets the assertions on the last table they read; incremental steps form one batches stage', async (t) => {
  const plan = planRun(input());
  t.same(plan.stages.map((s) => s.kind), ['step', 'batches', 'step', 'assertions', 'publish']);
  const [load, batches, mart, after] = plan.stages;
  t.same(load.kind === 'step' && names(load.gates), ['products_unique']);
  t.same(batches.kind === 'batches' && [batches.steps.map((s) => s.id), names(batches.gates.get('03_core')!), batches.createsBatches], [['02_raw', '03_core'], ['orders_fk'], true]);
  t.same(mart.kind === 'step' && names(mart.gates), ['daily_positive', 'pinned'], 'a -- step: line wins over the lineage');
  t.same(after.kind === 'assertions' && names(after.assertions), ['constant'], 'reading no step\'s table: after the steps');
  t.same(plan.flow?.gates.get('04_mart')?.map((a) => a.name), ['daily_positive', 'pinned']);
});

t.test('a selection plans only its steps; a later incremental step alone creates no batches', async (t) => {
  const plan = planRun(input({ steps: [steps[2], steps[3]] }));
  t.same(plan.stages.map((s) => s.kind), ['batches', 'step', 'assertions', 'publish']);
  t.equal(plan.stages[0].kind === 'batches' && plan.stages[0].createsBatches, false);
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
  t.same(all.stages.map((s) => s.kind), ['assertions']);
  const selected = planRun(input({ steps: [], testSteps: [steps[3]] }));
  t.same(selected.stages[0].kind === 'assertions' && names(selected.stages[0].assertions), ['daily_positive', 'pinned']);
});

t.test('workers are warmed in the order the plan needs them', async (t) => {
  const plan = planRun(input());
  t.same(lookahead(plan, 0), ['step', 'step', 'step', 'step', 'step', 'publish'], 'step; ledger read + first unit; step; the assertions; publish');
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
