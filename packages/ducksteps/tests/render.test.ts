import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateError } from '../lib/errors.js';
import { caught } from './helpers.js';
import { lineColAt, mapRenderedLines } from '../lib/sql/line-map.js';
import { renderFile } from '../lib/render/render.js';
import { createEnvironment, type TemplateContext } from '../lib/render/template.js';
import { sqlString } from '../lib/sql/quote.js';

const context: TemplateContext = {
  vars: { n: '3', name: "x'; DROP TABLE t; --" },
  run_id: 'RUN1',
  run_started_at: '2026-01-01T00:00:00Z',
  engine: 'duckdb',
};

function render(t: Test, files: Record<string, string>, file = 'sql/01_a/a.sql') {
  const tree: Record<string, unknown> = { sql: { '01_a': {}, macros: {} } };
  for (const [path, text] of Object.entries(files)) {
    const [, folder, name] = path.split('/');
    (tree.sql as Record<string, Record<string, string>>)[folder][name] = text;
  }
  const dir = t.testdir(tree as never);
  return {
    dir,
    out: () =>
      renderFile(
        createEnvironment(dir, context),
        dir,
        file,
        { ...context, step: { number: 1, name: 'a' } },
        'logs/compiled/01_a',
      ),
  };
}

t.test('vars, run_id, step and env() reach the SQL; the compiled copy is written', async (t) => {
  process.env.DUCKSTEPS_TEST_REGION = 'eu';
  const { dir, out } = render(t, {
    'sql/01_a/a.sql':
      "SELECT {{ vars.n }}, '{{ run_id }}', '{{ step.name }}', '{{ env(\"DUCKSTEPS_TEST_REGION\") }}', '{{ env(\"NOPE_X\", \"dflt\") }}';",
  });
  const r = out();
  t.equal(r.sql, "SELECT 3, 'RUN1', 'a', 'eu', 'dflt';");
  t.equal(readFileSync(join(dir, 'logs/compiled/01_a/a.sql'), 'utf8'), r.sql);
  t.equal(r.transaction, true);
});

t.test('an undefined variable fails at its file and line, naming the expression', async (t) => {
  const { out } = render(t, { 'sql/01_a/a.sql': 'SELECT 1;\n\nSELECT {{ vars.missing }};\n' });
  const e = caught(out);
  t.ok(e instanceof TemplateError);
  t.match(e, { file: 'sql/01_a/a.sql', line: 3, exitCode: 1 });
  t.match(e.message, /undefined value in \{\{ vars\.missing \}\}[\s\S]*--var/);
});

t.test('a template syntax error fails naming the file', async (t) => {
  const { out } = render(t, { 'sql/01_a/a.sql': 'SELECT 1;\n{% if x %}\nSELECT 2;\n' });
  const e = caught(out);
  t.match(e, { file: 'sql/01_a/a.sql', message: /expected elif, else, or endif/ });
});

t.test('an unknown filter is located at the line that uses it', async (t) => {
  const { out } = render(t, { 'sql/01_a/a.sql': 'SELECT 1;\nSELECT {{ 3 | nosuchfilter }};\n' });
  t.match(caught(out), { line: 2, message: /filter not found: nosuchfilter/ });
});

t.test('a missing macro file, or one outside the project, fails with the include rule', async (t) => {
  const missing = render(t, { 'sql/01_a/a.sql': '{% import "macros/nope.sql" as m %}\nSELECT 1;' });
  t.match(caught(missing.out), {
    file: 'sql/01_a/a.sql',
    message: /included or imported file not found[\s\S]*relative to sql\//,
  });
  const outside = render(t, { 'sql/01_a/a.sql': '{% include "../../../../../../etc/passwd" %}' });
  t.match(caught(outside.out), { message: /included or imported file not found: .*etc\/passwd/ });
});

t.test('a file that is not UTF-8 is refused', async (t) => {
  const { dir } = render(t, { 'sql/01_a/a.sql': 'x' });
  writeFileSync(join(dir, 'sql/01_a/a.sql'), Buffer.from([0x53, 0x45, 0xff, 0xfe, 0x3b]));
  t.match(
    caught(() => renderFile(createEnvironment(dir, context), dir, 'sql/01_a/a.sql', context, 'logs/compiled/01_a')),
    { file: 'sql/01_a/a.sql', message: /not valid UTF-8/ },
  );
});

t.test('-- ducksteps: no-transaction marks a file to run outside the step transaction', async (t) => {
  const { out } = render(t, { 'sql/01_a/a.sql': '-- ducksteps: no-transaction\nCHECKPOINT;' });
  t.equal(out().transaction, false);
});

t.test('sql_string quotes a hostile value into one literal', async (t) => {
  const { out } = render(t, { 'sql/01_a/a.sql': 'SELECT {{ vars.name | sql_string }} AS v;' });
  t.equal(out().sql, "SELECT 'x''; DROP TABLE t; --' AS v;");
  t.equal(sqlString("a'b"), "'a''b'");
});

t.test('rendered lines map back to source lines through {{ }}, {% if %} and macros', async (t) => {
  const { out } = render(t, {
    'sql/01_a/a.sql': [
      '{% import "macros/m.sql" as m %}', // 1
      'SELECT 1;', // 2
      '{% if vars.n == "3" %}', // 3
      'SELECT {{ vars.n }}', // 4
      '{% endif %}', // 5
      '{{ m.two() }}', // 6
      'SELECT 9 AS last;', // 7
    ].join('\n'),
    'sql/macros/m.sql': '{% macro two() %}\nSELECT 7;\nSELECT 8;\n{% endmacro %}',
  });
  const r = out();
  const lines = r.sql.split('\n');
  const at = (text: string) => r.lineMap[lines.findIndex((l) => l.includes(text))];
  t.equal(at('SELECT 1;'), 2);
  t.equal(at('SELECT 3'), 4);
  t.equal(at('SELECT 7;'), 6, 'macro output maps to the call line');
  t.equal(at('SELECT 8;'), 6);
  t.equal(at('SELECT 9 AS last;'), 7);
});

t.test('lineColAt counts lines and columns from 1', async (t) => {
  t.same(lineColAt('ab\ncd', 4), { line: 2, column: 2 });
  t.same(mapRenderedLines('a\nb', 'a\nb'), [1, 2]);
});
