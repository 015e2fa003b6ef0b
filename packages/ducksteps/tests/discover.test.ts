import t, { type Test } from 'tap';
import { discover } from '../lib/project/discover.js';
import { DiscoveryError } from '../lib/errors.js';
import { caught } from './helpers.js';

const sql = 'SELECT 1;';

t.test('steps run in number order and files in name order; macros/ is not a step', async (t) => {
  const dir = t.testdir({
    sql: {
      '10_last': { 'b.sql': sql, 'a.sql': sql, 'notes.txt': 'x' },
      '02_second': { '01.sql': sql },
      '001_first': { 'x.sql': sql },
      macros: { 'm.sql': '' },
    },
    steps: { '02_second.ts': 'export function before() {}' },
    tests: { 'a.sql': sql, deeper: { 'b.sql': sql }, framework: { 'x.sql': sql } },
  });
  const p = discover(dir);
  t.same(
    p.steps.map((s) => s.id),
    ['001_first', '02_second', '10_last'],
  );
  t.same(p.steps[2].files, ['sql/10_last/a.sql', 'sql/10_last/b.sql']);
  t.equal(p.steps[1].script, 'steps/02_second.ts');
  t.equal(p.steps[0].script, undefined);
  t.same(p.testFiles, ['tests/a.sql', 'tests/deeper/b.sql'], 'tests/framework is the tap suite, not assertions');
});

const failsWith = (t: Test, tree: object, pattern: RegExp, file?: string) => {
  const dir = t.testdir(tree as never);
  const e = caught(() => discover(dir));
  t.ok(e instanceof DiscoveryError, 'a DiscoveryError');
  t.match(e.message, pattern);
  if (file) t.equal(e.file, file);
  t.equal(e.exitCode, 2);
};

t.test('two steps with the same number are refused, naming both', async (t) => {
  failsWith(
    t,
    { sql: { '01_a': { 'x.sql': sql }, '01_b': { 'x.sql': sql } } },
    /duplicate step number 1: sql\/01_a and sql\/01_b/,
  );
});

t.test('a numbered folder that breaks NN_name is refused with the pattern', async (t) => {
  failsWith(t, { sql: { '03-Quality': { 'x.sql': sql } } }, /does not match NN_name[\s\S]*04_enrich/, 'sql/03-Quality');
  failsWith(t, { sql: { '1_short': { 'x.sql': sql } } }, /does not match NN_name/);
});

t.test('a step folder without .sql files is refused', async (t) => {
  failsWith(t, { sql: { '01_empty': { 'readme.md': 'x' } } }, /step folder has no \.sql files/, 'sql/01_empty');
});

t.test('a script without a SQL folder is refused with a suggestion', async (t) => {
  failsWith(
    t,
    { sql: { '01_load': { 'x.sql': sql } }, steps: { '01_lod.ts': '' } },
    /script has no SQL folder[\s\S]*did you mean steps\/01_load\.ts/,
    'steps/01_lod.ts',
  );
});

t.test('a folder without sql/ is refused', async (t) => {
  failsWith(t, { other: {} }, /no sql\/ folder/);
});
