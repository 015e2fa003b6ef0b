// The project both change-skip test files build: a load from a file, a view and a table macro over it, readers
// of each, a table only ever written from outside ducksteps, and a step that reads the clock.
export const SETTINGS = JSON.stringify({ name: 'skip', ducksteps: { vars: { k: '1' } } });
export const SQL = {
  '01_load': { '01.sql': "CREATE OR REPLACE TABLE a AS SELECT * FROM read_csv('data/in/a.csv', header = true);" },
  '02_view': {
    '01.sql':
      'CREATE OR REPLACE MACRO over(n) AS TABLE SELECT * FROM a WHERE x > n;\nCREATE OR REPLACE VIEW v AS SELECT x, x * {{ vars.k }} AS y FROM a;',
  },
  '03_sum': { '01.sql': 'CREATE OR REPLACE TABLE s AS SELECT count(*) AS n, sum(y) AS total FROM v;' },
  '04_over': { '01.sql': 'CREATE OR REPLACE TABLE o AS SELECT count(*) AS n FROM over(2);' },
  '05_outside': {
    '01.sql':
      'CREATE TABLE IF NOT EXISTS b (z INTEGER);\nCREATE OR REPLACE TABLE c AS SELECT count(*) AS n, sum(z) AS z FROM b;',
  },
  '06_clock': {
    '01.sql': "CREATE OR REPLACE TABLE d AS SELECT count(*) AS n FROM a WHERE now() > TIMESTAMP '2000-01-01';",
  },
};

/** The project's files: its settings, steps and input file (a fresh copy each call). */
export const skipTree = () => ({
  'package.json': SETTINGS,
  sql: structuredClone(SQL),
  data: { in: { 'a.csv': 'x\n1\n2\n3\n' } },
});
