// The run artifacts (logs/run_results.json, logs/manifest.json): what they say of a run, and that their
// schemas accept them (cli() checks every run the suite makes) and refuse what is not them.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { artifactErrors } from './artifacts.js';
import { cli, project } from './helpers.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const artifact = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, 'logs', file), 'utf8')) as Doc;
const byId = (doc: Doc) => new Map((doc.results as Doc[]).map((r) => [r.unique_id as string, r]));

t.test('a run writes run_results.json: each step and gating assertion with its status, rows and timing', async (t) => {
  const dir = project(t, 'ok');
  const run = await cli(dir);
  t.equal(run.exitCode, 0, run.stderr);
  const results = artifact(dir, 'run_results.json');
  t.equal(results.status, 'ok');
  t.equal(results.metadata.target, 'default');
  t.match(run.stdout, results.metadata.invocation_id, 'the run id the console prints');
  const r = byId(results);
  t.match(r.get('step.01_load'), { resource_type: 'step', status: 'ok', rows_affected: 11, statements: 2 });
  t.equal(r.get('step.01_load')?.timing[0].name, 'execute');
  t.match(r.get('assertion.totals_positive'), { status: 'pass', failures: 0, gates: 'step.02_summarise' });
  t.same(artifactErrors('run_results.json', results), []);
});

t.test('manifest.json: the steps, what each reads and writes, the assertions and the step they gate', async (t) => {
  const dir = project(t, 'ok');
  t.equal((await cli(dir)).exitCode, 0);
  const manifest = artifact(dir, 'manifest.json');
  t.match(manifest.nodes['step.01_load'], { writes: ['numbers'], original_file_paths: ['sql/01_load/01_numbers.sql'] });
  t.match(manifest.nodes['step.02_summarise'], {
    reads: ['numbers'],
    writes: ['totals'],
    depends_on: { nodes: ['step.01_load'] },
    gated_by: ['assertion.totals_positive'],
  });
  t.match(manifest.nodes['assertion.totals_positive'], {
    gates: 'step.02_summarise',
    original_file_path: 'tests/totals.sql',
  });
  t.same(manifest.tables.numbers.written_by, ['step.01_load']);
  t.same(manifest.tables.numbers.read_by, ['step.02_summarise']);
  t.same(manifest.child_map['step.01_load'], ['step.02_summarise']);
  t.same(artifactErrors('manifest.json', manifest), []);
});

t.test('a failing assertion is in run_results.json with its offending rows, and the run failed', async (t) => {
  const dir = project(t, 'failing-assertion');
  const run = await cli(dir);
  t.equal(run.exitCode, 1);
  const results = artifact(dir, 'run_results.json');
  t.equal(results.status, 'failed');
  const failed = (results.results as Doc[]).filter((r) => r.resource_type === 'assertion' && r.status === 'fail');
  t.ok(failed.length > 0 && failed.every((r) => r.failures > 0), 'each failure counts its rows');
});

t.test('a step that does not render is in run_results.json as failed, at its file:line', async (t) => {
  const dir = project(t, 'ok', { sql: { '03_bad': { '01.sql': 'SELECT {{ nope( }};' } } });
  const bad = await cli(dir);
  t.equal(bad.exitCode, 1);
  const results = artifact(dir, 'run_results.json');
  t.equal(results.status, 'failed');
  t.match(byId(results).get('step.03_bad'), { status: 'failed', location: /sql\/03_bad\/01\.sql:1/ });
});

t.test('the schemas refuse a document that is not a run artifact (the check can fail)', async (t) => {
  const dir = project(t, 'ok');
  t.equal((await cli(dir)).exitCode, 0);
  const results = artifact(dir, 'run_results.json');
  t.not(artifactErrors('run_results.json', { ...results, status: 'fine' }).length, 0, 'an unknown status');
  const { metadata: _, ...headless } = results;
  t.not(artifactErrors('run_results.json', headless).length, 0, 'no metadata');
  const step = (results.results as Doc[])[0];
  t.not(artifactErrors('run_results.json', { ...results, results: [{ ...step, rows_affected: -1 }] }).length, 0);
  const manifest = artifact(dir, 'manifest.json');
  t.not(artifactErrors('manifest.json', { ...manifest, nodes: { x: { resource_type: 'model' } } }).length, 0);
});
