import t from 'tap';
import { join } from 'node:path';
import { cli, project, query } from './helpers.js';

t.test('a fresh project builds and answers exit 0', async (t) => {
  const dir = project(t, 'ok');
  const run = await cli(dir, ['--var', 'n=5']);
  t.equal(run.exitCode, 0, run.stdout + run.stderr);
  t.same(await query(join(dir, 'data/warehouse.duckdb'), 'SELECT total, step_name FROM totals'), [{ total: 1010, step_name: 'summarise' }]);
});
