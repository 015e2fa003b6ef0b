import t from 'tap';
import { join } from 'node:path';
import { appendCsv, csvCell } from '../../lib/logs/csv.js';
import { splitStatements, statementKind } from '../../lib/render/split.js';
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
  t.same(await readCsv(path), [{ id: '1', error: nasty }, { id: '2', error: 'ok, fine' }]);
});

t.test('statements split on ; outside strings, comments and dollar quotes', async (t) => {
  const sql = "-- lead; comment\nCREATE TABLE a AS SELECT 'x;y' AS s;\n/* c; */ INSERT INTO a VALUES ($$;$$);\n\n-- only a comment;\n ;\nWITH q AS (SELECT 1) SELECT * FROM q";
  const chunks = splitStatements(sql);
  t.equal(chunks.length, 3);
  t.same(chunks.map((c) => statementKind(c.text)), ['CREATE_TABLE', 'INSERT', 'SELECT']);
  t.equal(sql.slice(chunks[1].start, chunks[1].start + 6), 'INSERT');
});

t.test('statement kinds name the object for DDL', async (t) => {
  t.equal(statementKind('create or replace temp table x as select 1'), 'CREATE_TABLE');
  t.equal(statementKind('CREATE VIEW v AS SELECT 1'), 'CREATE_VIEW');
  t.equal(statementKind('COPY t TO \'x.csv\''), 'COPY');
  t.equal(statementKind('DROP TABLE IF EXISTS t'), 'DROP_TABLE');
  t.equal(statementKind('(SELECT 1)'), 'SELECT');
});
