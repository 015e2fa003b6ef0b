// The user guide quotes the logs' CSV headers: each quoted header must be one the code writes, in full.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_LOG_HEADER, STEP_LOG_HEADER } from '../lib/logs/step-logs.js';
import { RUNS_HEADER } from '../lib/logs/run-warehouses.js';
import { SCHEMA_LOG_HEADER } from '../lib/logs/schema-log.js';
import { TESTS_LOG_HEADER } from '../lib/logs/tests-log.js';
import { REPO } from './helpers.js';

const guide = [
  'README.md',
  'packages/ducksteps/README.md',
  ...readdirSync(join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

t.test('every CSV header the README and docs/ quote is a header the logs are written with', async (t) => {
  const headers = [RUN_LOG_HEADER, STEP_LOG_HEADER, TESTS_LOG_HEADER, RUNS_HEADER, SCHEMA_LOG_HEADER].map((h) =>
    h.join(','),
  );
  let quoted = 0;
  for (const file of guide) {
    for (const [, header] of readFileSync(join(REPO, file), 'utf8').matchAll(/`(run_id,[a-z_,]+)`/g)) {
      quoted++;
      t.ok(headers.includes(header), `${file}: \`${header}\` is one of the logs' headers`);
    }
  }
  t.ok(quoted >= 3, 'the guide quotes the headers of run_log.csv, NN_name.csv and tests.csv');
});

t.test("docs/logs.md says what tests.csv's scope column holds: batch or table", async (t) => {
  t.ok(TESTS_LOG_HEADER.includes('scope'), 'tests.csv has the column');
  const logs = readFileSync(join(REPO, 'docs/logs.md'), 'utf8');
  const section = logs.slice(
    logs.indexOf('## `logs/tests.csv`'),
    logs.indexOf('\n## ', logs.indexOf('## `logs/tests.csv`') + 1),
  );
  t.match(section, /`scope`: [\s\S]{0,300}`batch`[\s\S]{0,300}`table`/, 'the section explains the values');
  const guide = readFileSync(join(REPO, 'docs/assertions.md'), 'utf8');
  t.match(guide, /## Checking the batch, not the whole table/, 'the anchor logs.md links to exists');
  t.match(logs, /assertions\.md#checking-the-batch-not-the-whole-table/);
});
