import t from 'tap';
import { join } from 'node:path';
import { appendCsv, csvCell, parseCsv } from '../lib/logs/csv.js';
import { readLog, readLogTail, rowsOfRun } from '../lib/logs/history.js';
import { splitStatements, statementKind } from '../lib/sql/split.js';
import { read, readCsv } from './helpers.js';

t.test('CSV cells are quoted only when needed, RFC 4180 style', async (t) => {
  t.equal(csvCell('plain'), 'plain');
  t.equal(csvCell('a,b'), '"a,b"');
  t.equal(csvCell('say "hi"'), '"say ""hi"""');
  t.equal(csvCell('two\nlines'), '"two\nlines"');
  t.equal(csvCell(null), '');
  t.equal(csvCell(42), '42');
});

t.test('a CSV log with hostile cells loads back unchanged with read_csv', async (t) => {
  const path = join(t.testdir(), 'log.csv');
  const nasty = 'Error: "x", y\nLINE 2: ;\r\n  -- done';
  appendCsv(path, ['id', 'error'], [[1, nasty]]);
  appendCsv(path, ['id', 'error'], [[2, 'ok, fine']]);
  t.equal(read(path).split('\r\n')[0], 'id,error', 'header written once');
  t.same(await readCsv(path), [
    { id: '1', error: nasty },
    { id: '2', error: 'ok, fine' },
  ]);
});

t.test('statements split on ; outside strings, comments and dollar quotes', async (t) => {
  const sql =
    "-- lead; comment\nCREATE TABLE a AS SELECT 'x;y' AS s;\n/* c; */ INSERT INTO a VALUES ($$;$$);\n\n-- only a comment;\n ;\nWITH q AS (SELECT 1) SELECT * FROM q";
  const chunks = splitStatements(sql);
  t.equal(chunks.length, 3);
  t.same(
    chunks.map((c) => statementKind(c.text)),
    ['CREATE_TABLE', 'INSERT', 'SELECT'],
  );
  t.equal(sql.slice(chunks[1].start, chunks[1].start + 6), 'INSERT');
});

t.test('statement kinds name the object for DDL', async (t) => {
  t.equal(statementKind('create or replace temp table x as select 1'), 'CREATE_TABLE');
  t.equal(statementKind('CREATE VIEW v AS SELECT 1'), 'CREATE_VIEW');
  t.equal(statementKind("COPY t TO 'x.csv'"), 'COPY');
  t.equal(statementKind('DROP TABLE IF EXISTS t'), 'DROP_TABLE');
  t.equal(statementKind('(SELECT 1)'), 'SELECT');
});

t.test('formatCount writes thousands as toLocaleString("en-US") does, without loading locale data', async (t) => {
  const { formatCount } = await import('../lib/report/tables.js');
  for (const n of [0, 7, 999, 1000, 12345, 1234567, -1234567, 9007199254740991, 12.5, 1234.5678, -0.5])
    t.equal(formatCount(n), n.toLocaleString('en-US'), String(n));
});

t.test('parseCsv: quoted cells, CRLF, a trailing comma, and text that is not well-formed CSV', async (t) => {
  t.same(parseCsv('a,"b,c","say ""hi""","two\r\nlines"\r\nx,,\r\n'), [
    ['a', 'b,c', 'say "hi"', 'two\r\nlines'],
    ['x', '', ''],
  ]);
  t.same(parseCsv('a,'), [['a', '']]);
  t.same(parseCsv('a\n\nb'), [['a'], [''], ['b']]);
  t.same(parseCsv(''), []);
  t.same(parseCsv('a,"b"c,d\ne'), [['a', 'bc', 'd'], ['e']], 'text after a closing quote joins the cell');
  t.same(parseCsv('a,"open\nrest'), [['a', 'open\nrest']], 'a quote left open runs to the end');
});

t.test('readLogTail reads a growing log from its end: the same rows as reading it all', async (t) => {
  const dir = t.testdir();
  const path = join(dir, 'run_log.csv');
  const header = ['run_id', 'step', 'error'];
  const ids = Array.from({ length: 300 }, (_, i) => `20261121T${String(100000 + i)}Z-${(0xa000 + i).toString(16)}`);
  for (const [i, id] of ids.entries())
    appendCsv(path, header, [
      [id, '01_a', i % 3 ? '' : `Error: "x", y\n${ids[0]},looks like a row`],
      [id, '02_b', 'é'.repeat(i % 50)],
    ]);
  const all = readLog(path);
  for (const chunk of [64, 1000, 4096]) {
    const tail = readLogTail(path, (rows) => new Set(rows.map((r) => r.run_id)).size > 20, chunk);
    t.ok(tail.length < all.length, `chunk ${chunk}: not the whole file`);
    t.same(
      tail.filter((r) => ids.slice(-20).includes(r.run_id)),
      all.filter((r) => ids.slice(-20).includes(r.run_id)),
      `chunk ${chunk}: the last 20 runs`,
    );
  }
  t.same(
    rowsOfRun(path, ids[241]),
    all.filter((r) => r.run_id === ids[241]),
    'one run',
  );
  t.same(rowsOfRun(path, ids.at(-1)!), all.slice(-2), 'the latest run');
  t.same(rowsOfRun(join(dir, 'missing.csv'), ids[0]), []);
  t.same(
    readLogTail(path, () => false, 64),
    all,
    'never enough: the whole file',
  );
});
