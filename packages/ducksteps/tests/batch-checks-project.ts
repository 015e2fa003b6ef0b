// The batch-checks tests' project: an incremental step appending events (and ensuring a parents table), and
// eight gates on them — the six macros that have a batch form, twice unique, and a -- scope: batch query.
import { join } from 'node:path';
import { readCsv } from './helpers.js';

export const SETTINGS = JSON.stringify({ name: 'checks', ducksteps: { inputs: { ev: 'data/landing/ev/*.csv' } } });
export const LOAD = (extra = '') => `-- ducksteps: incremental
CREATE TABLE IF NOT EXISTS parents AS SELECT CAST(range AS INTEGER) AS pid FROM range(8);
CREATE TABLE IF NOT EXISTS events (batch_id INTEGER, id INTEGER, v VARCHAR, pid INTEGER);
{% if batch.count.ev %}
INSERT INTO events SELECT {{ batch.id }}, id, v, pid
FROM read_csv({{ batch.files.ev }}, header = true, columns = {'id': 'INTEGER', 'v': 'VARCHAR', 'pid': 'INTEGER'});
{% endif %}
${extra}`;
export const CHECKS = (severity: string) =>
  [
    `{{ unique('events', 'id') }}`,
    `{{ unique('events', ['id', 'pid']) }}`,
    `{{ not_null('events', ['id', 'v']) }}`,
    `{{ accepted_values('events', 'v', ['a', 'b', 'c']) }}`,
    `{{ relationships('events', 'pid', 'parents', 'pid') }}`,
    `{{ expression('events', "v <> 'c'") }}`,
    `{{ expression_strict('events', 'pid < 8') }}`,
    `-- scope: batch\nSELECT id, v FROM {{ batch_rows('events') }} WHERE v = 'zz' AND pid = 99`,
  ]
    .map((sql, i) => `-- name: check${i + 1}\n-- severity: ${severity}\n${sql};\n`)
    .join('\n');

/** The project's files. */
export const checksFiles = (severity = 'warn', extra = '') => ({
  'package.json': SETTINGS,
  sql: { '01_load': { '01.sql': LOAD(extra) } },
  tests: { 'checks.sql': CHECKS(severity) },
  data: { landing: { ev: {} } },
});

/** The gates' results of the project's runs, in order: test, status, offending rows; and what each checked. */
export async function gates(dir: string) {
  const rows = (await readCsv(join(dir, 'logs/tests.csv'))).filter((r) => r.kind === 'assertion');
  return {
    results: rows.map((r) => `${r.test} ${r.status} ${r.failing_rows}`),
    scopes: rows.map((r) => String(r.scope)),
  };
}
